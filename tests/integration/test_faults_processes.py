"""Processes dying mid-burst on the real stack (docs/grading.md, "Faults"): nothing is lost.

Real processes throughout: Celery workers (`start_worker`), a sandbox server started in its
own process group (so killing it kills its slot processes too), a private redis-server this
test stops and starts again on the same port (with an append-only file, as `make run` and
docker-compose run it), the outbox relay (`manage.py relay_outbox`) and Django's live server.
The grading settings are the defaults an operator gets: a killed worker's submission is
marked again within a minute because leases are short and renewed, not because the test
shortened them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import question_engine
from config.celery import app as celery_app
from exams.bank_sync import question_sync
from exams.models import Question, Submission
from question_engine.code_parts import code_part
from tests.integration.conftest import (
    ROOT,
    STARTUP_TIMEOUT_S,
    _free_port,
    _reset_producer_pool,
    _stop,
)
from tests.postgres import database_url

CODE_SLUG = "code-layer-norm"
NUMERIC_SLUG = "demo-linear-neuron"
WITHIN_S = 60

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the sandbox server needs root for namespaces and uid switching")


@pytest.fixture
def sandbox(tmp_path):
    """A real sandbox server on a short socket path, in its own process group.

    `sandbox.start()` starts it (and waits until it listens); `sandbox.kill()` kills the whole
    group with SIGKILL, as a crash or the OOM killer would. Stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tg-flt-"))

    class Sandbox:
        socket_path = folder / "sandbox.sock"
        process: subprocess.Popen | None = None

        def start(self) -> None:
            env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sandbox", "serve", "--socket", str(self.socket_path)],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not self._listening():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the sandbox server did not start")
                time.sleep(0.1)

        def _listening(self) -> bool:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                return probe.connect_ex(str(self.socket_path)) == 0

        def kill(self) -> None:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    box = Sandbox()
    yield box
    box.kill()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def code_question(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / CODE_SLUG))
    question = Question.objects.get(slug=CODE_SLUG)
    course.questions.add(question)
    return question


@pytest.fixture
def many_submissions(course):
    """Lets a student submit as often as a burst needs (the course's own limit is per student)."""
    course.submissions_per_window = 1000
    course.save(update_fields=["submissions_per_window"])
    return course


def _code_solution() -> str:
    definition = question_engine.load_question(settings.BANK_ROOT / CODE_SLUG)
    return code_part(definition, "impl").solution


def _submit_in_process(api: APIClient, slug: str, answers: dict[str, str]) -> int:
    attempt = api.post("/api/v1/attempts/", {"question": slug}, format="json")
    assert attempt.status_code == 201, attempt.content
    accepted = api.post(
        f"/api/v1/attempts/{attempt.json()['id']}/submissions/",
        {"answers": answers},
        format="json",
    )
    assert accepted.status_code == 202, accepted.content
    return accepted.json()["id"]


def _wait_all_graded(ids: list[int], within_s: float) -> list[Submission]:
    deadline = time.monotonic() + within_s
    while True:
        rows = list(Submission.objects.filter(pk__in=ids).order_by("pk"))
        if len(rows) == len(ids) and all(row.status == "graded" for row in rows):
            return rows
        if time.monotonic() > deadline:
            states = {row.pk: (row.status, row.error_message[:80]) for row in rows}
            pytest.fail(f"not every submission was marked within {within_s} s: {states}")
        time.sleep(0.2)


def test_a_worker_killed_while_marking_loses_nothing_and_marks_each_once(
    start_worker, sandbox, course, code_question, many_submissions, student
):
    _needs_root()
    sandbox.start()
    env = {"SANDBOX_SOCKET": str(sandbox.socket_path)}
    api = APIClient()
    api.force_authenticate(student)
    solution = _code_solution()
    # Four code submissions among twenty: the worker is killed while one of them is in the
    # sandbox, and the rest of the batch stays small enough to drain on a loaded machine.
    ids = [
        _submit_in_process(api, CODE_SLUG, {"impl": solution})
        if i % 5 == 0
        else _submit_in_process(api, NUMERIC_SLUG, {"y": "1", "loss": "2"})
        for i in range(20)
    ]
    code_ids = ids[::5]

    # No beat in the worker to be killed: an embedded beat is a child process SIGKILL would orphan.
    doomed = start_worker(env=env)
    deadline = time.monotonic() + WITHIN_S
    while not Submission.objects.filter(pk__in=code_ids, status="grading").exists():
        assert doomed.poll() is None and time.monotonic() < deadline, "the worker never marked"
        time.sleep(0.01)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    killed_at = time.monotonic()
    cut_short = set(
        Submission.objects.filter(pk__in=ids, status="grading").values_list("pk", flat=True)
    )
    assert cut_short and Submission.objects.filter(pk__in=ids).exclude(status="graded").count()

    start_worker(env=env, beat=True)
    rows = _wait_all_graded(ids, within_s=WITHIN_S - (time.monotonic() - killed_at))
    for row in rows:
        assert row.score is not None and row.feedback, row.pk
        assert row.grading_runs == (2 if row.pk in cut_short else 1), row.pk
        assert not row.send_pending
    code_rows = [row for row in rows if "impl" in row.feedback]
    assert [row.pk for row in code_rows] == code_ids
    assert all(row.feedback["impl"]["status"] == "correct" for row in code_rows)


def test_a_sandbox_killed_mid_burst_and_restarted_costs_no_student_a_mark(
    start_worker, sandbox, course, code_question, many_submissions, student
):
    _needs_root()
    sandbox.start()
    start_worker(env={"SANDBOX_SOCKET": str(sandbox.socket_path)}, beat=True)
    api = APIClient()
    api.force_authenticate(student)
    solution = _code_solution()
    ids = [_submit_in_process(api, CODE_SLUG, {"impl": solution}) for _ in range(6)]

    deadline = time.monotonic() + WITHIN_S
    while not Submission.objects.filter(pk__in=ids, status="graded").exists():
        assert time.monotonic() < deadline, "nothing was marked before the sandbox was killed"
        time.sleep(0.02)
    sandbox.kill()
    assert Submission.objects.filter(pk__in=ids).exclude(status="graded").exists()
    time.sleep(1)
    sandbox.start()

    rows = _wait_all_graded(ids, within_s=WITHIN_S)
    for row in rows:
        assert row.score == row.max_score, (row.pk, row.feedback)
        assert row.feedback["impl"]["status"] == "correct"
        assert row.failure == "" and row.error_message == ""


class PrivateRedis:
    """A redis-server on a fixed port that the test stops and starts again (data on disk)."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _accepting(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)),
                *("--appendonly", "yes", "--appendfsync", "always", "--save", ""),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._accepting():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop(self.process)


@pytest.fixture
def private_redis(tmp_path, broker, monkeypatch):
    """A Redis of this test's own, the broker of this process's Celery producer."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed; run `apt-get install -y redis-server`.")
    redis = PrivateRedis(tmp_path)
    redis.start()
    monkeypatch.setattr(celery_app.conf, "broker_url", redis.url)
    _reset_producer_pool()
    yield redis
    _reset_producer_pool()
    redis.stop()


@pytest.fixture
def outbox_relay(private_redis, tmp_path):
    """Runs `manage.py relay_outbox` (a real process) on the private Redis and the test DB."""
    log = tmp_path / "relay.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": private_redis.url,
        "DATABASE_URL": database_url(connection.settings_dict),
        "TENSORGRADE_VAR_DIR": str(settings.VAR_DIR),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "relay_outbox"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while "Relaying" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the relay did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    yield log
    _stop(process)
    print(log.read_text()[-3000:])


def _post_json(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def test_submissions_accepted_while_redis_is_down_are_marked_once_it_is_back(
    start_worker, private_redis, outbox_relay, live_server, many_submissions, student
):
    start_worker(env={"CELERY_BROKER_URL": private_redis.url}, beat=True)
    token = Token.objects.create(user=student).key
    api = f"{live_server.url}/api/v1"

    def submit() -> int:
        status, attempt = _post_json(f"{api}/attempts/", token, {"question": NUMERIC_SLUG})
        assert status == 201, attempt
        status, accepted = _post_json(
            f"{api}/attempts/{attempt['id']}/submissions/",
            token,
            {"answers": {"y": "1", "loss": "2"}},
        )
        assert status == 202, accepted
        return accepted["id"]

    before = [submit() for _ in range(5)]
    private_redis.stop()
    during = [submit() for _ in range(8)]
    assert Submission.objects.filter(pk__in=during, send_pending=True).count() == len(during)
    time.sleep(2)
    assert not Submission.objects.filter(pk__in=during, status="graded").exists()
    private_redis.start()
    back_at = time.monotonic()
    after = [submit() for _ in range(5)]

    _wait_all_graded(during, within_s=20)
    assert time.monotonic() - back_at < 20
    rows = _wait_all_graded(before + during + after, within_s=WITHIN_S)
    assert all(row.grading_runs == 1 and not row.send_pending for row in rows)
    assert "Outbox relay: sent submissions" in outbox_relay.read_text()

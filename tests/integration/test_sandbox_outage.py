"""A sandbox outage on the real stack: the submission waits in `error`, then is marked.

Nothing is mocked: the worker is a real Celery process (with its beat schedule running the
sweep and the recovery) whose SANDBOX_SOCKET points where no sandbox server listens, until
the test starts a real sandbox server on that path. Short grading backoffs come from the
same environment variables an operator would set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Question, Submission, Variant
from question_engine.code_parts import code_part
from tests.integration.conftest import ROOT, STARTUP_TIMEOUT_S, _stop

SLUG = "code-layer-norm"
WAIT_S = 120
FAST_LIFECYCLE = {
    "GRADING_QUICK_TRIES": "2",
    "GRADING_QUICK_BACKOFF_S": "0.5",
    "GRADING_RECOVERY_BACKOFF_S": "3",
    "GRADING_SWEEP_EVERY_S": "1",
}


@pytest.fixture
def socket_path():
    """A short socket path (Unix socket paths are limited to about 100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="tg-sbx-"))
    yield folder / "sandbox.sock"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sandbox_server(socket_path):
    """Starts a real sandbox server on `socket_path` when called; stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start() -> None:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "serve", "--socket", str(socket_path)],
            cwd=ROOT,
            env=env,
        )
        started.append(process)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the sandbox server did not start")
            time.sleep(0.1)

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def code_question(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SLUG))
    question = Question.objects.get(slug=SLUG)
    course.questions.add(question)
    return question


def _wait_for(api: APIClient, url: str, wanted) -> dict:  # noqa: ANN001 - a predicate
    deadline = time.monotonic() + WAIT_S
    body: dict = {}
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if wanted(body):
            return body
        time.sleep(0.2)
    pytest.fail(f"the submission never reached the expected state within {WAIT_S} s: {body}")


@pytest.mark.integration
@pytest.mark.variants_in_background
def test_a_code_submission_waits_out_a_sandbox_outage_and_is_then_marked(
    start_worker, sandbox_server, socket_path, code_question, student
):
    if os.geteuid() != 0:
        pytest.skip("the sandbox server needs root for namespaces and uid switching")
    start_worker(env={"SANDBOX_SOCKET": str(socket_path), **FAST_LIFECYCLE}, beat=True)
    api = APIClient()
    api.force_authenticate(student)
    attempt = api.post("/api/v1/attempts/", {"question": SLUG}, format="json")
    assert attempt.status_code == 201, attempt.content
    solution = code_part(question_engine.load_question(settings.BANK_ROOT / SLUG), "impl").solution
    submissions_url = f"/api/v1/attempts/{attempt.json()['id']}/submissions/"
    # The worker cannot build the variant (its sandbox is down): it retries, the student is
    # told it is being prepared, and no answer is taken meanwhile.
    refused = api.post(submissions_url, {"answers": {"impl": solution}}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "variant_preparing"
    assert Variant.objects.get().state == Variant.State.BUILDING
    # Built here, on this process's own sandbox, so the outage hits the marking below.
    services.variant_build(variant_id=Variant.objects.get().pk)

    accepted = api.post(submissions_url, {"answers": {"impl": solution}}, format="json")
    assert accepted.status_code == 202
    status_url = accepted.json()["status_url"]

    waiting = _wait_for(api, status_url, lambda body: body["status"] in ("error", "graded"))
    assert waiting["status"] == "error"
    assert waiting["failure"] == "infrastructure"
    assert waiting["awaiting_marking"] is True
    assert "marked automatically when the service recovers" in waiting["error_message"]
    assert waiting["score"] is None and waiting["feedback"] == {}
    assert waiting["next_retry_at"] is not None

    sandbox_server()
    graded = _wait_for(api, status_url, lambda body: body["status"] == "graded")
    assert graded["score"] == graded["max_score"] == 8.0
    assert graded["feedback"]["impl"]["status"] == "correct"
    assert graded["failure"] is None and graded["error_message"] == ""
    row = Submission.objects.get()
    assert row.recovery_tries >= 1
    assert row.grading_runs >= 3

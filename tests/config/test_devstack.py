"""`make run` for real: the launcher (`python -m config.devstack`) as a subprocess on free ports
and a private var dir, with every service it supervises, poked the way a failure would.

Each test starts the whole stack (migrate, demo content, Redis, sandbox, workers, beat,
gunicorn), so those tests are marked slow.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import question_engine
from config import devstack, queues
from question_engine.code_parts import code_part
from tests.sandbox.conftest import descendants, processes

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 300
RESTART_TIMEOUT_S = 60
MARKED_TIMEOUT_S = 120
GONE_TIMEOUT_S = 10
CODE_QUESTION = "code-layer-norm"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(what: str, condition: Callable[[], object], timeout_s: float) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout_s} s")


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return [part.decode(errors="replace") for part in cmdline.read().split(b"\0") if part]
    except OSError:
        return []


def _started_at(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot), to tell it from a later process that
    reuses the number; None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def _alive(pid: int) -> bool:
    state = processes().get(pid)
    return state is not None and state[2] != "Z"


@dataclass
class Stack:
    """A running launcher, its output file and its web address."""

    process: subprocess.Popen
    log_path: Path
    var_dir: Path
    base_url: str

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def service(self, matches: Callable[[list[str]], bool]) -> int | None:
        """The pid of the live process of the tree whose parent is a service wrapper and whose
        command line ``matches``."""
        table = processes()
        for pid in descendants(self.process.pid, table):
            parent = table[pid][0]
            wrapped = any(part.endswith("config/supervise.py") for part in _cmdline(parent))
            if wrapped and table[pid][2] != "Z" and matches(_cmdline(pid)):
                return pid
        return None

    def restarted(self, matches: Callable[[list[str]], bool], old_pid: int) -> int:
        """Wait for a live replacement of ``old_pid``; return its pid."""
        return _wait_for(
            f"a replacement of {old_pid} did not start; launcher output:\n{self.output()}",
            lambda: (pid := self.service(matches)) not in (None, old_pid) and pid,
            RESTART_TIMEOUT_S,
        )


def _is_redis(cmdline: list[str]) -> bool:
    # Redis rewrites its command line into one string: "/usr/bin/redis-server 127.0.0.1:PORT".
    return bool(cmdline) and cmdline[0].split()[0].endswith("redis-server")


def _is_sandbox_master(cmdline: list[str]) -> bool:
    return cmdline[1:4] == ["-m", "sandbox", "serve"]


def _is_code_worker(cmdline: list[str]) -> bool:
    return "worker" in cmdline and queues.CODE in ",".join(cmdline).split(",")


@pytest.fixture
def stack() -> Iterator[Stack]:
    """The launcher, started and ready; killed (with its process group) afterwards if a test
    left it running."""
    var_dir = Path(tempfile.mkdtemp(prefix="tg-run-"))  # short: the sandbox's socket is in it
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "SANDBOX_SOCKET")
    }
    env.update(
        TENSORGRADE_VAR_DIR=str(var_dir),
        TENSORGRADE_PORT=str(port),
        TENSORGRADE_REDIS_PORT=str(_free_port()),
        TENSORGRADE_WEB_WORKERS="1",
        TENSORGRADE_WEB_THREADS="4",
    )
    if os.geteuid() != 0:
        env["SANDBOX_ALLOW_INSECURE"] = "1"
    log_path = var_dir / "launcher.out"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.devstack"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Stack(process, log_path, var_dir, f"http://127.0.0.1:{port}")
    tree: dict[int, str | None] = {}
    try:
        _wait_for(
            "make run did not start",
            lambda: "Tensorgrade is running at" in running.output() or process.poll() is not None,
            STARTUP_TIMEOUT_S,
        )
        assert process.poll() is None, running.output()
        tree = {pid: _started_at(pid) for pid in descendants(process.pid)}
        yield running
    finally:
        tree.update({pid: _started_at(pid) for pid in descendants(process.pid)})
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid, started_at in tree.items():  # a test failed half-way: leave nothing behind
            if started_at is not None and _started_at(pid) == started_at:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(var_dir, ignore_errors=True)


class _Browser:
    """A logged-in HTTP session (cookies, CSRF token) against the running site."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.status, dict(response.headers), response.read()

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def log_in(self, username: str, password: str) -> None:
        status, _, page = self.get("/login/")
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.decode()}
        ).encode()
        request = urllib.request.Request(self.base_url + "/login/", data=form, method="POST")
        with self.opener.open(request, timeout=30) as response:
            assert response.status == 200
            assert not response.url.endswith("/login/"), "the login was refused"

    def post_json(self, path: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf()},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def get_json(self, path: str) -> dict:
        return json.loads(self.get(path)[2])


def _student_password(output: str) -> str:
    return re.search(r"student\s+password: (\S+)", output).group(1)


def test_services_are_gunicorn_per_group_workers_and_a_separate_beat():
    before_demo, after_demo = devstack.services(
        env={}, redis_binary="redis-server", redis_port=6379, sandbox_socket=Path("s.sock")
    )
    names = [service.name for service in [*before_demo, *after_demo]]
    workers = [devstack.worker_name(group) for group in queues.WORKER_GROUPS]
    assert names == ["redis", "sandbox", *workers, "beat", "relay", "web"]
    web = list(after_demo[-1].command)
    assert web[1:3] == ["-m", "gunicorn"]
    assert web[web.index("--worker-class") + 1] == "gthread"
    assert "--insecure" not in web
    beat = list(after_demo[-3].command)
    assert "beat" in beat and "worker" not in beat
    assert "relay_outbox" in after_demo[-2].command


@pytest.mark.slow
def test_make_run_serves_restarts_what_dies_and_stops_on_ctrl_c(stack):
    browser = _Browser(stack.base_url)
    status, headers, body = browser.get("/static/frontend/site.css")
    assert status == 200 and body
    assert headers["Server"].startswith("gunicorn")
    assert browser.get("/login/")[0] == 200

    redis, worker = stack.service(_is_redis), stack.service(_is_code_worker)
    assert redis and worker, stack.output()
    os.kill(redis, signal.SIGKILL)
    os.kill(worker, signal.SIGKILL)
    stack.restarted(_is_redis, redis)
    stack.restarted(_is_code_worker, worker)

    master = stack.service(_is_sandbox_master)
    assert master, stack.output()
    os.kill(master, signal.SIGKILL)
    stack.restarted(_is_sandbox_master, master)
    assert "sandbox stopped (killed by SIGKILL)" in stack.output()
    socket_path = stack.var_dir / "sandbox" / "sandbox.sock"  # removed before each start
    _wait_for("the restarted sandbox did not listen", socket_path.exists, RESTART_TIMEOUT_S)

    browser.log_in("student", _student_password(stack.output()))
    status, attempt = browser.post_json("/api/v1/attempts/", {"question": CODE_QUESTION})
    assert status == 201, attempt
    # The variant is built by the stack's variants worker: ask until it is ready, as a client does.
    _wait_for(
        f"the variant was not built; launcher output:\n{stack.output()}",
        lambda: (
            {
                question["variant_status"]
                for question in browser.get_json(f"/api/v1/attempts/{attempt['id']}/")["questions"]
            }
            == {"ready"}
        ),
        MARKED_TIMEOUT_S,
    )
    definition = question_engine.load_question(ROOT / "bank" / CODE_QUESTION)
    status, accepted = browser.post_json(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": {"impl": code_part(definition, "impl").solution}},
    )
    assert status == 202, accepted
    status_path = urllib.parse.urlsplit(accepted["status_url"]).path
    marked = _wait_for(
        f"the submission was not marked; launcher output:\n{stack.output()}",
        lambda: (body := browser.get_json(status_path))["status"] == "graded" and body,
        MARKED_TIMEOUT_S,
    )
    assert marked["score"] == marked["max_score"] == 8.0

    tree = descendants(stack.process.pid)
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=60) == 0, stack.output()
    left = [pid for pid in tree if _alive(pid)]
    assert left == [], [(pid, _cmdline(pid)) for pid in left]


@pytest.mark.slow
def test_killing_the_launcher_leaves_no_process_behind(stack):
    tree = descendants(stack.process.pid)
    assert len(tree) >= 2 * (len(queues.WORKER_GROUPS) + 4)  # wrappers and their services
    stack.process.kill()
    stack.process.wait()
    _wait_for(
        "processes of the killed launcher's tree were left",
        lambda: not any(_alive(pid) for pid in tree),
        GONE_TIMEOUT_S,
    )

"""The one retry policy for sandbox jobs, against a sandbox that takes no job (hung or busy)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from question_engine import sandbox_jobs
from question_engine.errors import SandboxFailure
from sandbox import Call, Job


@pytest.fixture
def hung_sandbox(tmp_path: Path, monkeypatch):
    """A socket that accepts connections and never answers: a stopped (SIGSTOP) server, or
    one whose every slot is busy. Yields the list of connections it accepted."""
    path = str(tmp_path / "hung.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setenv("SANDBOX_SOCKET", path)
    yield accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def _job() -> Job:
    return Job(code="def f():\n    return 1\n", calls=[Call("f")])


def test_a_job_someone_waits_for_gives_up_after_the_short_queue_limit(hung_sandbox, monkeypatch):
    monkeypatch.setattr(sandbox_jobs, "INTERACTIVE_QUEUE_TIMEOUT_S", 0.5)
    with pytest.raises(SandboxFailure, match="no sandbox slot"), sandbox_jobs.someone_waiting():
        sandbox_jobs.run_job(_job(), where="bank/x/question.py")
    # one connection: a job no slot took is not sent again while a person waits
    assert len(hung_sandbox) == 1


def test_outside_a_waiting_person_the_long_queue_limit_applies(hung_sandbox, monkeypatch):
    seen: list[float] = []
    real_run = sandbox_jobs.get_client().__class__.run

    def run(self, job, *, queue_timeout_s):
        seen.append(queue_timeout_s)
        return real_run(self, job, queue_timeout_s=0.2)

    monkeypatch.setattr(sandbox_jobs.get_client().__class__, "run", run)
    monkeypatch.setattr(sandbox_jobs, "RETRY_PAUSES_S", (0.01,))
    with pytest.raises(SandboxFailure):
        sandbox_jobs.run_job(_job(), where="bank/x/question.py")
    assert seen == [sandbox_jobs.QUEUE_TIMEOUT_S, sandbox_jobs.QUEUE_TIMEOUT_S]

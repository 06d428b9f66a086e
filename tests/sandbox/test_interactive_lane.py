"""The interactive lane: slots kept for jobs a person waits on, apart from the main queue."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sandbox import Call, Job, Limits, SandboxClient, SandboxUnavailable
from sandbox.local_server import LocalServer, get_client
from sandbox.server_config import interactive_socket_path
from tests.sandbox.conftest import requires_root, run

BUSY = "import time\ndef f():\n    time.sleep(15)\n    return 'marked'\n"


@requires_root
@pytest.mark.slow
def test_an_interactive_job_runs_while_every_main_slot_is_busy(monkeypatch):
    server = LocalServer(workers=1, interactive_workers=1)
    try:
        server.wait_until_ready()
        lane = interactive_socket_path(server.socket_path)
        assert Path(lane).exists()
        deadline = time.monotonic() + 60
        while not SandboxClient(lane).ping():  # the lane's slot has started its templates
            assert time.monotonic() < deadline, "the interactive lane never answered"
            time.sleep(0.1)
        monkeypatch.setenv("SANDBOX_SOCKET", server.socket_path)
        assert get_client(interactive=True).socket_path == lane
        assert get_client().socket_path == server.socket_path
        with ThreadPoolExecutor(max_workers=1) as pool:
            busy = pool.submit(run, server.client, BUSY, Call("f"), wall_time_s=30.0)
            time.sleep(1.0)  # the main lane's only slot has taken the marking job
            with pytest.raises(SandboxUnavailable, match="no sandbox slot"):
                server.client.run(_job("queued"), queue_timeout_s=1.0)

            answered = SandboxClient(lane).run(_job("now"), queue_timeout_s=10.0)

            assert answered.outputs == ["now"] and not busy.done()
            assert busy.result().outputs == ["marked"]
    finally:
        server.stop()


def test_without_a_lane_interactive_jobs_use_the_main_socket(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_SOCKET", str(tmp_path / "sandbox.sock"))
    assert get_client(interactive=True).socket_path == str(tmp_path / "sandbox.sock")


def _job(text: str):  # noqa: ANN202
    from sandbox import Job

    return Job(f"def f():\n    return {text!r}\n", [Call("f")], Limits(wall_time_s=10.0))


@requires_root
@pytest.mark.slow
def test_a_job_whose_client_gave_up_waiting_is_never_run():
    """A visible-tests request that gave up waiting for the lane (its queue timeout) leaves its
    job in the listen queue; a slot that took it would hold the lane for nobody (a student
    sending looping code could keep the lane busy for everyone). It is dropped instead: the
    next job starts as soon as the running one ends."""
    server = LocalServer(workers=1, interactive_workers=0)
    try:
        server.wait_until_ready()
        slow = "import time\ndef f():\n    time.sleep(4)\n    return 'done'\n"
        abandoned = "import time\ndef f():\n    time.sleep(10)\n    return 'nobody reads this'\n"
        with ThreadPoolExecutor(max_workers=1) as pool:
            busy = pool.submit(run, server.client, slow, Call("f"), wall_time_s=30.0)
            time.sleep(1.0)  # the only slot runs the busy job
            for _ in range(2):
                with pytest.raises(SandboxUnavailable, match="no sandbox slot"):
                    server.client.run(
                        Job(abandoned, [Call("f")], Limits(wall_time_s=30.0)), queue_timeout_s=0.5
                    )
            started = time.monotonic()
            answered = server.client.run(_job("next"), queue_timeout_s=30.0)
            waited = time.monotonic() - started
            assert busy.result().outputs == ["done"]
        assert answered.outputs == ["next"]
        # Behind the busy job (about 2 s left) only; had the two abandoned jobs run first,
        # 20 s more.
        assert waited < 12.0, waited
    finally:
        server.stop()

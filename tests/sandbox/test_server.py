"""The server as a whole: it survives a dying slot supervisor and serves many clients."""

import contextlib
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import Call, Job, Limits, SandboxClient, SandboxUnavailable
from sandbox.local_server import get_client
from tests.sandbox.conftest import (
    SETTLE_TIMEOUT_S,
    assert_healthy,
    children,
    descendants,
    idle_children_bound,
    processes,
    run,
)


def supervisors(server) -> list[int]:
    return children(server.process.pid)


def test_server_survives_a_killed_supervisor(sandbox_server):
    before = supervisors(sandbox_server)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while before[0] in supervisors(sandbox_server) and time.monotonic() < deadline:
        time.sleep(0.02)
    for _ in range(4):
        assert_healthy(sandbox_server)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while len(supervisors(sandbox_server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = supervisors(sandbox_server)
    assert len(after) == 2 and before[0] not in after


def test_get_client_uses_the_socket_from_the_environment(sandbox_server, monkeypatch):
    monkeypatch.setenv("SANDBOX_SOCKET", sandbox_server.socket_path)
    client = get_client()
    assert client.socket_path == sandbox_server.socket_path
    assert run(client, "def f():\n    return 'hi'\n", Call("f")).outputs == ["hi"]


def test_forked_copy_of_a_local_server_does_not_stop_it(sandbox_server):
    pid = os.fork()
    if pid == 0:
        sandbox_server.stop()
        os._exit(0 if not sandbox_server.usable else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sandbox_server.usable and sandbox_server.client.ping()


def test_unreachable_server_is_a_clear_error(tmp_path):
    client = SandboxClient(str(tmp_path / "missing.sock"))
    with pytest.raises(SandboxUnavailable, match="python -m sandbox serve"):
        client.run(Job("x = 1\n"))
    assert client.ping() is False


def test_unsendable_inputs_fail_before_anything_runs(sandbox_client):
    from sandbox import CodecError

    with pytest.raises(CodecError, match="cannot be sent"):
        sandbox_client.run(Job("def f(x):\n    return x\n", [Call("f", (object(),))]))


def test_jobs_queue_when_every_slot_is_busy(sandbox_client):
    from concurrent.futures import ThreadPoolExecutor

    code = "import time\ndef f(n):\n    time.sleep(0.3)\n    return n\n"
    jobs = [Job(code, [Call("f", (n,))], Limits(wall_time_s=30.0)) for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(sandbox_client.run, jobs))
    assert [result.outputs for result in results] == [[n] for n in range(8)]


def _idle_children(server) -> list[int]:
    """Every slot's pre-forked idle children (one per runtime, running as slot uids), waiting
    until all are there (after a job the next one comes once the job's processes are reaped)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        table = processes()
        supervisors = {pid for pid, (ppid, _, _) in table.items() if ppid == server.process.pid}
        found = [
            pid
            for pid, (ppid, uid, state) in table.items()
            if uid != 0 and state != "Z" and table.get(ppid, (0,))[0] in supervisors
        ]
        if len(found) == idle_children_bound() or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_job_children_descend_from_templates_never_from_a_supervisor(sandbox_server):
    idle = _idle_children(sandbox_server)
    table = processes()
    slots = supervisors(sandbox_server)
    templates = {pid for pid, (ppid, _, _) in table.items() if ppid in slots}
    assert len(templates) == len(slots) * 2  # one per runtime, running as root
    assert all(table[pid][1] == 0 for pid in templates)
    assert len(idle) == idle_children_bound()
    assert {table[pid][0] for pid in idle} == templates


def test_a_dead_idle_child_is_replaced_before_the_next_job(sandbox_server):
    idle_children = _idle_children(sandbox_server)
    assert len(idle_children) == idle_children_bound()
    for pid in idle_children:
        with contextlib.suppress(ProcessLookupError):  # one may end by itself meanwhile
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(3):
        assert_healthy(sandbox_server)
        numpy_job = Job("def f():\n    return 7\n", [Call("f")], runtime="numpy")
        assert sandbox_server.client.run(numpy_job).outputs == [7]


def _job_with_open_file_limit(server, limit: int) -> int | None:
    """The pid of the running job whose RLIMIT_NOFILE is ``limit`` (set only for that job)."""
    for pid in descendants(server.process.pid):
        try:
            with open(f"/proc/{pid}/limits") as limits:
                lines = [line.split() for line in limits if line.startswith("Max open files")]
        except OSError:
            continue
        if lines and lines[0][3] == str(limit):
            return pid
    return None


def _parent(pid: int) -> int:
    return processes()[pid][0]


def _gone(pid: int) -> bool:
    """Wait until ``pid`` no longer exists (not even as a zombie)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    return not os.path.exists(f"/proc/{pid}")


@pytest.mark.parametrize("victim", ["supervisor", "template"])
def test_a_slot_dying_mid_job_is_sandbox_unavailable_and_leaves_no_orphan(sandbox_server, victim):
    marker = 17
    code = """
import os, time

def f():
    if os.fork() == 0:
        time.sleep(120)
    time.sleep(120)
"""
    job = Job(code, [Call("f")], Limits(wall_time_s=300.0, max_open_files=marker))
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(sandbox_server.client.run, job)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while (pid := _job_with_open_file_limit(sandbox_server, marker)) is None:
            if time.monotonic() > deadline:
                pytest.fail("the job never started")
            time.sleep(0.05)
        while not (forked := children(pid)):
            if time.monotonic() > deadline:
                pytest.fail("the job never forked")
            time.sleep(0.05)
        template = _parent(pid)
        os.kill(_parent(template) if victim == "supervisor" else template, signal.SIGKILL)
        with pytest.raises(SandboxUnavailable, match="did not answer"):
            pending.result(timeout=SETTLE_TIMEOUT_S)
    assert _gone(pid) and _gone(template) and _gone(forked[0])
    assert_healthy(sandbox_server)

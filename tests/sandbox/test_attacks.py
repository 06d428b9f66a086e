"""Hostile jobs: each gets a clear status, and the server still runs the next job correctly."""

from __future__ import annotations

import os
import signal
import socket
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import Call
from sandbox.runtime_paths import project_root, runtime_mounts
from tests.sandbox.conftest import assert_healthy, run

SHORT = {"wall_time_s": 2.0, "cpu_time_s": 1.5}


def attack(server, code: str, *calls: Call, **limits: float):
    result = run(server.client, textwrap.dedent(code), *(calls or [Call("attack")]), **limits)
    assert_healthy(server)
    return result


def test_infinite_loop_times_out(sandbox_server):
    result = attack(sandbox_server, "def attack():\n    while True:\n        pass\n", **SHORT)
    assert result.status == "timeout"
    assert result.error.type == "TimeLimitExceeded"


def test_busy_thread_times_out(sandbox_server):
    code = """
    import threading

    def spin():
        while True:
            pass

    def attack():
        thread = threading.Thread(target=spin)
        thread.start()
        thread.join()
    """
    assert attack(sandbox_server, code, **SHORT).status == "timeout"


def test_sleeping_job_hits_the_wall_clock(sandbox_server):
    code = "import time\ndef attack():\n    time.sleep(60)\n"
    result = attack(sandbox_server, code, wall_time_s=1.0)
    assert result.status == "timeout"
    assert "longer than its 1.0 s time limit" in result.error.message


def test_fork_bomb_is_contained(sandbox_server):
    code = """
    import os

    def attack():
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """
    result = attack(sandbox_server, code, max_processes=16, **SHORT)
    assert result.status in ("timeout", "killed")


def test_memory_bomb_hits_the_memory_limit(sandbox_server):
    code = """
    def attack():
        hoard = []
        while True:
            hoard.append(bytearray(32 * 1024 * 1024))
    """
    result = attack(sandbox_server, code, memory_mb=256, **SHORT)
    assert result.status == "memory_limit"


def test_huge_file_is_refused(sandbox_server):
    code = """
    def attack():
        with open("big.bin", "wb") as big:
            while True:
                big.write(b"x" * 1024 * 1024)
    """
    result = attack(sandbox_server, code, max_file_size_mb=4, **SHORT)
    assert result.status == "error"
    assert result.error.type == "OSError" and "File too large" in result.error.message


def test_printing_without_end_only_hits_the_time_limit(sandbox_server):
    code = "def attack():\n    while True:\n        print('x' * 1_000_000)\n"
    result = attack(sandbox_server, code, max_output_bytes=10_000, **SHORT)
    assert result.status == "timeout"
    assert result.stdout.startswith("x" * 10_000)
    assert result.stdout.endswith("\n[sandbox: stdout truncated at 10000 bytes]")
    assert len(result.stdout) < 11_000


def test_no_network_even_to_loopback(sandbox_server):
    seen: list[object] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]

    def watch() -> None:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            try:
                seen.append(listener.accept())
            except TimeoutError:
                continue

    watcher = threading.Thread(target=watch)
    watcher.start()
    code = f"""
    import socket, urllib.request

    def attack():
        outcomes = []
        for action in (
            lambda: socket.create_connection(("127.0.0.1", {port}), timeout=1),
            lambda: urllib.request.urlopen("http://127.0.0.1:{port}/", timeout=1),
            lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM),
            lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW),
        ):
            try:
                action()
                outcomes.append("connected")
            except Exception as exc:
                outcomes.append(type(exc).__name__)
        return outcomes
    """
    try:
        result = attack(sandbox_server, code)
    finally:
        watcher.join()
        listener.close()
    assert result.status == "ok"
    assert "connected" not in result.outputs[0]
    assert seen == []


def test_secrets_and_other_files_are_unreachable(sandbox_server, tmp_path):
    database = tmp_path / "db.sqlite3"
    database.write_text("secret rows")
    paths = [
        "/etc/shadow",
        "/proc/1/environ",
        "/proc/self/environ",
        os.path.join(project_root(), "pyproject.toml"),
        os.path.join(project_root(), "sandbox", "__init__.py"),
        os.path.join(project_root(), "db.sqlite3"),
        str(database),
        "/root/.bashrc",
    ]
    code = f"""
    def attack():
        outcomes = {{}}
        for path in {paths!r}:
            try:
                with open(path) as handle:
                    outcomes[path] = handle.read()[:40]
            except OSError as exc:
                outcomes[path] = type(exc).__name__
        return outcomes
    """
    outcomes = attack(sandbox_server, code).outputs[0]
    assert set(outcomes.values()) <= {"FileNotFoundError", "PermissionError"}, outcomes


def test_project_directory_is_not_listed(sandbox_server):
    code = f"import os\ndef attack():\n    return os.listdir({project_root()!r})\n"
    assert attack(sandbox_server, code).outputs[0] in ([], [".venv"])


def test_other_jobs_files_are_invisible(sandbox_server):
    writer = """
    import os, time

    def attack(wait):
        for path in ("mine.txt", "/tmp/mine.txt"):
            with open(path, "w") as mine:
                mine.write("private")
        time.sleep(wait)
        return os.path.abspath("mine.txt")
    """
    reader = """
    import os

    def attack(path):
        return [os.path.exists(path), os.listdir("."), os.listdir("/tmp")]
    """
    # A job's fresh /tmp holds only the root-owned directories leading to runtime paths that
    # live under /tmp (a checkout or virtualenv there), never another job's files.
    mounts = runtime_mounts([project_root()])
    under_tmp = sorted(
        {
            path.removeprefix("/tmp/").split("/")[0]
            for path in (*mounts.readonly_paths, *mounts.hidden_paths)
            if path.startswith("/tmp/")
        }
    )
    expected = [False, [], under_tmp]
    path = attack(sandbox_server, writer, Call("attack", (0,))).outputs[0]
    found = attack(sandbox_server, reader, Call("attack", (path,))).outputs[0]
    assert [found[0], found[1], sorted(found[2])] == expected
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(
            run, sandbox_server.client, textwrap.dedent(writer), Call("attack", (1,))
        )
        time.sleep(0.3)
        concurrent = run(sandbox_server.client, textwrap.dedent(reader), Call("attack", (path,)))
        assert slow.result().status == "ok"
    found = concurrent.outputs[0]
    assert [found[0], found[1], sorted(found[2])] == expected


def test_killing_the_parent_is_refused(sandbox_server):
    code = """
    import os, signal

    def attack():
        outcomes = []
        for pid in (os.getppid(), 1):
            try:
                os.kill(pid, signal.SIGKILL)
                outcomes.append("sent")
            except OSError as exc:
                outcomes.append(type(exc).__name__)
        return outcomes
    """
    assert attack(sandbox_server, code).outputs[0] == ["PermissionError", "PermissionError"]


def test_ptrace_and_privileged_libc_calls_fail(sandbox_server):
    code = """
    import ctypes, os

    libc = ctypes.CDLL(None, use_errno=True)

    def attack():
        calls = {
            "ptrace": lambda: libc.ptrace(16, os.getppid(), 0, 0),
            "setuid": lambda: libc.setuid(0),
            "unshare": lambda: libc.unshare(0x10000000),
            "mount": lambda: libc.mount(b"none", b"/job", b"tmpfs", 0, None),
            "chroot": lambda: libc.chroot(b"/"),
        }
        return {name: [call(), ctypes.get_errno()] for name, call in calls.items()}
    """
    outcomes = attack(sandbox_server, code).outputs[0]
    assert all(value == [-1, 1] for value in outcomes.values()), outcomes  # -1, EPERM


def test_crashing_through_ctypes_is_killed(sandbox_server):
    code = "import ctypes\ndef attack():\n    return ctypes.c_int.from_address(8).value\n"
    result = attack(sandbox_server, code)
    assert result.status == "killed"
    assert result.signal == 11


def test_subprocess_and_exec_are_denied(sandbox_server):
    code = """
    import os, subprocess

    def attack():
        outcomes = []
        for action in (
            lambda: subprocess.run(["/bin/sh", "-c", "id"], check=True),
            lambda: os.execv("/usr/bin/id", ["id"]),
            lambda: os.system("id"),
        ):
            try:
                outcomes.append(repr(action()))
            except Exception as exc:
                outcomes.append(type(exc).__name__)
        return outcomes
    """
    outcomes = attack(sandbox_server, code).outputs[0]
    assert outcomes[:2] == ["PermissionError", "PermissionError"]
    assert outcomes[2] != "0"


def test_sys_exit_halfway_keeps_earlier_outputs(sandbox_server):
    code = "import sys\ndef one():\n    return 1\n\ndef attack():\n    sys.exit(0)\n"
    result = attack(sandbox_server, code, Call("one"), Call("attack"), Call("one"))
    assert result.status == "error" and result.error.type == "SystemExit"
    assert result.outputs == [1]


def test_os_exit_halfway_is_an_error(sandbox_server):
    code = "import os\ndef one():\n    return 1\n\ndef attack():\n    os._exit(0)\n"
    result = attack(sandbox_server, code, Call("one"), Call("attack"))
    assert result.status == "error"
    assert result.error.type == "ProcessExit"


def test_ignoring_sigterm_does_not_help(sandbox_server):
    code = """
    import signal

    def attack():
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        while True:
            pass
    """
    assert attack(sandbox_server, code, **SHORT).status == "timeout"


def test_threads_left_running_do_not_delay_the_result(sandbox_server):
    code = """
    import threading, time

    def linger():
        while True:
            time.sleep(0.01)

    def attack():
        threading.Thread(target=linger).start()
        return 42
    """
    # Were the supervisor waiting for the process to end, this would be a wall-clock timeout.
    result = attack(sandbox_server, code, wall_time_s=5.0)
    assert result.status == "ok" and result.outputs == [42]


def test_monkeypatching_does_not_leak_into_the_next_job(sandbox_server):
    patch = """
    import numpy, torch

    def attack():
        torch.add = lambda *args, **kwargs: 0
        torch.Tensor.__add__ = lambda self, other: 0
        numpy.allclose = lambda *args, **kwargs: True
        import sandbox.codec
        sandbox.codec.encode_value = lambda *args, **kwargs: None
        return torch.add(1, 2)
    """
    check = """
    import numpy, torch

    def attack():
        return [torch.add(torch.tensor(1), 2).item(), (torch.tensor(1) + 1).item(),
                bool(numpy.allclose(0, 1))]
    """
    attack(sandbox_server, patch)
    assert attack(sandbox_server, check).outputs[0] == [3, 2, False]


@pytest.mark.parametrize(
    "returned",
    [
        "Rigged()",
        "FloatLike(1.0)",
        "numpy.zeros(3).view(ArrayLike)",
        "torch.zeros(3).as_subclass(TensorLike)",
        "HasArray()",
        "numpy.array([Rigged()], dtype=object)",
        "[1, 2, Rigged()]",
        "{1: 2}",
    ],
)
def test_rigged_return_values_are_rejected(sandbox_server, returned):
    code = f"""
    import numpy, torch

    class Rigged:
        def __eq__(self, other):
            return True

    class FloatLike(float):
        def __eq__(self, other):
            return True

    class ArrayLike(numpy.ndarray):
        pass

    class TensorLike(torch.Tensor):
        pass

    class HasArray:
        def __array__(self, dtype=None, copy=None):
            return numpy.zeros(3)

    def attack():
        return {returned}
    """
    result = attack(sandbox_server, code)
    assert result.status == "bad_return"
    assert result.outputs == []


def test_forged_result_frames_cannot_claim_a_sandbox_error(sandbox_server):
    code = """
    import os
    from sandbox.framing import pack_frame

    def attack():
        os.write(3, pack_frame({"kind": "setup_failed", "message": "forged"}))
        os.write(3, pack_frame({"kind": "result", "status": "ok", "outputs": [{"pickle": 1}]}))
        os._exit(0)
    """
    result = attack(sandbox_server, code)
    assert result.status == "bad_return"


def test_exhausting_file_descriptors(sandbox_server):
    code = """
    def attack():
        handles = []
        try:
            while True:
                handles.append(open("/dev/null"))
        except OSError as exc:
            return [len(handles), type(exc).__name__]
    """
    result = attack(sandbox_server, code, max_open_files=32)
    assert result.status == "ok"
    count, error = result.outputs[0]
    assert error == "OSError" and count < 32


def test_io_uring_is_refused(sandbox_server):
    code = """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def attack():
        params = ctypes.create_string_buffer(120)
        return [libc.syscall(425, 8, params), ctypes.get_errno()]  # io_uring_setup
    """
    assert attack(sandbox_server, code).outputs[0] == [-1, 1]


# A wall-clock limit far beyond the CPU limit: even on a loaded machine the CPU limit ends these.
CPU_BOUND = {"wall_time_s": 120.0, "cpu_time_s": 1.0}


def test_cpu_limit_stops_a_busy_job_before_the_wall_clock(sandbox_server):
    code = "def attack():\n    while True:\n        pass\n"
    result = attack(sandbox_server, code, **CPU_BOUND)
    assert result.status == "timeout"
    assert "CPU time limit of 1 s" in result.error.message
    assert result.signal in (signal.SIGXCPU, signal.SIGKILL)


def test_ignoring_sigxcpu_still_ends_at_the_hard_cpu_limit(sandbox_server):
    code = """
    import signal

    def attack():
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        while True:
            pass
    """
    result = attack(sandbox_server, code, **CPU_BOUND)
    assert result.status == "timeout"
    assert "CPU time limit of 1 s" in result.error.message
    assert result.signal == signal.SIGKILL


def test_output_printed_before_a_timeout_is_kept(sandbox_server):
    code = "import time\ndef attack():\n    print('progress 1')\n    time.sleep(60)\n"
    result = attack(sandbox_server, code, wall_time_s=1.0)
    assert result.status == "timeout"
    assert result.stdout == "progress 1\n"

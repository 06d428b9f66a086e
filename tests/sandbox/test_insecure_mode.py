"""A server whose seccomp layer is broken: refuses to start, unless insecure mode is allowed."""

import os
import subprocess
import sys
import time

from sandbox import Call, Job, SandboxClient
from sandbox.runtime_paths import project_root
from tests.sandbox.conftest import requires_root

pytestmark = requires_root

SERVER_WITHOUT_SECCOMP = """
import sys
from sandbox.layers import seccomp
from sandbox.layers.errors import LayerError

def broken(config):
    raise LayerError("seccomp", "seccomp_load", "simulated failure")

seccomp.apply = broken
from sandbox.cli import main
sys.exit(main(["serve", "--socket", sys.argv[1], "--workers", "1"]))
"""


def start(socket_path: str, allow_insecure: bool) -> subprocess.Popen:
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": project_root(),
        "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1",  # no re-exec, which would drop the patch
    }
    if allow_insecure:
        environment["SANDBOX_ALLOW_INSECURE"] = "1"
    return subprocess.Popen(
        [sys.executable, "-c", SERVER_WITHOUT_SECCOMP, socket_path],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_missing_layer_stops_the_server(tmp_path):
    server = start(str(tmp_path / "s.sock"), allow_insecure=False)
    _, stderr = server.communicate(timeout=60)
    assert server.returncode == 3
    assert "refusing to start" in stderr and "seccomp" in stderr


def test_insecure_mode_runs_with_a_loud_warning(tmp_path):
    socket_path = str(tmp_path / "s.sock")
    server = start(socket_path, allow_insecure=True)
    try:
        client = SandboxClient(socket_path)
        deadline = time.monotonic() + 60
        while not client.ping() and time.monotonic() < deadline:
            time.sleep(0.1)
        code = "import socket\ndef f():\n    socket.socket().close()\n    return 'socket allowed'\n"
        result = client.run(Job(code, [Call("f")]))
        assert result.status == "ok" and result.outputs == ["socket allowed"]
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "STARTING INSECURE" in stderr

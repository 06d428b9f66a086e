"""Start one private sandbox server subprocess for this process and stop it at exit."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from sandbox.client import SandboxClient, SandboxUnavailable, socket_from_environment
from sandbox.runtime_paths import project_root
from sandbox.server_config import interactive_socket_path

STARTUP_TIMEOUT_S = 120.0
# Only what the server needs: it must not inherit the caller's secrets (settings, DB URLs).
PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "SANDBOX_ALLOW_INSECURE", "SANDBOX_FIRST_UID")


class LocalServer:
    """A ``python -m sandbox serve`` subprocess on a socket in a private temporary directory
    (with no interactive lane unless ``interactive_workers`` asks for one)."""

    def __init__(self, workers: int | None = None, interactive_workers: int = 0) -> None:
        self.owner_pid = os.getpid()
        self.directory = tempfile.mkdtemp(prefix="tensorgrade-sandbox-")
        os.chmod(self.directory, 0o700)
        self.socket_path = os.path.join(self.directory, "sandbox.sock")
        self.log_path = os.path.join(self.directory, "server.log")
        command = [sys.executable, "-m", "sandbox", "serve", "--socket", self.socket_path]
        command += ["--parent-pid", str(self.owner_pid)]
        command += ["--interactive-workers", str(interactive_workers)]
        if workers is not None:
            command += ["--workers", str(workers)]
        environment = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
        environment["PYTHONPATH"] = project_root()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd="/",
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=True,
            )
        self.client = SandboxClient(self.socket_path)

    def wait_until_ready(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SandboxUnavailable(
                    f"the local sandbox server exited with status {self.process.returncode}:\n"
                    + self.log_tail()
                )
            if os.path.exists(self.socket_path) and self.client.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise SandboxUnavailable(f"the local sandbox server did not start in {timeout_s} s")

    def log_tail(self, characters: int = 4000) -> str:
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()[-characters:]
        except OSError:
            return ""

    @property
    def usable(self) -> bool:
        """Started by this very process (not inherited through fork) and still running."""
        return self.owner_pid == os.getpid() and self.process.poll() is None

    def stop(self) -> None:
        if self.owner_pid != os.getpid():
            return  # a forked copy (e.g. a Celery child) must not stop its parent's server
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


_lock = threading.Lock()
_local_server: LocalServer | None = None


def get_client(*, interactive: bool = False) -> SandboxClient:
    """Client for SANDBOX_SOCKET if set, else for one lazily started local server (per process).

    With ``interactive`` (a job a person waits on), the client of the server's interactive
    lane (``SANDBOX_SOCKET.interactive``) when that server keeps one, else of its main socket.
    The per-process local server keeps none: nobody else sends it jobs.
    """
    socket_path = socket_from_environment()
    if socket_path:
        lane = interactive_socket_path(socket_path)
        if interactive and os.path.exists(lane):
            return SandboxClient(lane)
        return SandboxClient(socket_path)
    global _local_server
    with _lock:
        if _local_server is None or not _local_server.usable:
            server = LocalServer()
            atexit.register(server.stop)
            server.wait_until_ready()
            _local_server = server
        return _local_server.client

"""The production stack as `make run` starts it, for the HTTP benchmarks, and a REST client.

`Stack` runs `python -m config.devstack` as a black box with its own TENSORGRADE_VAR_DIR (a
temporary folder: a fresh database with the demo content) and free ports, waits until the web
server answers HTTP, creates a course API key with `manage.py course_api_key`, and stops the
launcher (and anything it left behind) at the end. Nothing here reads or writes the database
directly: the load generators talk to the REST API only (docs/lms.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent
COURSE = "deep-learning-practice"
NUMERIC_QUESTION = "demo-linear-neuron"
NUMERIC_ANSWERS = {"y": "0.81", "loss": "0.02"}
CODE_QUESTION = "code-layer-norm"
CODE_PART = "impl"
# The bank's correct solution defines both forms a variant may ask for (function and module).
CODE_SOLUTION = (ROOT / "bank" / CODE_QUESTION / "solution.py").read_text()
FINAL_STATUSES = {"graded", "error"}
READY_TIMEOUT_S = 600
STOP_TIMEOUT_S = 60


class StackError(Exception):
    """The stack did not start; the message says why and where its log is."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """`make run`'s stack on loopback; use as a context manager.

    Attributes once started: `base_url` ('http://127.0.0.1:PORT'), `api_key` (a course key
    for COURSE), `var_dir`, `log_path` (the launcher's output).
    """

    def __init__(
        self, port: int | None = None, redis_port: int | None = None, keep_log: Path | None = None
    ) -> None:
        """`port`/`redis_port`: the web and Redis ports (free ones when None); `keep_log`: where
        to copy the launcher's output (web, worker and sandbox logs) when the stack stops."""
        self.keep_log = keep_log
        self.port = port or free_port()
        self.redis_port = redis_port or free_port()
        self.var_dir = Path(tempfile.mkdtemp(prefix="tensorgrade-bench-stack-"))
        self.log_path = self.var_dir / "devstack.log"
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_key = ""
        self._process: subprocess.Popen | None = None
        self._env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")},
            "TENSORGRADE_VAR_DIR": str(self.var_dir),
            "TENSORGRADE_HOST": "127.0.0.1",
            "TENSORGRADE_PORT": str(self.port),
            "TENSORGRADE_REDIS_PORT": str(self.redis_port),
            "PYTHONUNBUFFERED": "1",
        }
        self._env.pop("SANDBOX_SOCKET", None)
        self._env.pop("CELERY_BROKER_URL", None)

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the launcher and wait for HTTP and the API key.

        Raises StackError when the launcher exits or the site does not answer within
        READY_TIMEOUT_S (its log's tail is in the message).
        """
        print(f"Starting the stack on port {self.port} (log: {self.log_path}) …", flush=True)
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "config.devstack"],
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise StackError(
                    f"the launcher exited with code {self._process.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{self.base_url}/api/v1/courses/", timeout=2)
                break
            time.sleep(0.5)
        else:
            raise StackError(f"no HTTP answer within {READY_TIMEOUT_S} s:\n{self.log_tail()}")
        created = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "course_api_key",
                "create",
                "--course",
                COURSE,
                "--name",
                "benchmarks",
            ],
            env=self._env,
            capture_output=True,
            text=True,
            check=False,
        )
        if created.returncode != 0:
            raise StackError(f"could not create an API key: {created.stderr.strip()}")
        self.api_key = created.stdout.strip().splitlines()[-1]
        print(f"The stack answers at {self.base_url}.", flush=True)

    def log_tail(self, lines: int = 30) -> str:
        """The last `lines` lines of the launcher's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _leftovers(self) -> list[int]:
        """Processes still running with this stack's TENSORGRADE_VAR_DIR in their environment,
        or its folder in their command line (the sandbox server gets a pared-down
        environment but its socket's path)."""
        marker = f"TENSORGRADE_VAR_DIR={self.var_dir}".encode()
        folder = str(self.var_dir).encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                environment = (entry / "environ").read_bytes().split(b"\0")
                if marker in environment or folder in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
        return found

    def stop(self) -> None:
        """Stop the launcher as Ctrl-C does (SIGTERM, then SIGKILL after STOP_TIMEOUT_S), kill
        any process of this stack still running, keep its log if asked, remove its folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        deadline = time.monotonic() + 10
        while self._leftovers() and time.monotonic() < deadline:
            time.sleep(0.5)
        for pid in self._leftovers():
            print(f"Stopping process {pid} the stack left behind.", file=sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.keep_log is not None and self.log_path.exists():
            self.keep_log.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_path, self.keep_log)
        shutil.rmtree(self.var_dir, ignore_errors=True)


def api_headers(api_key: str) -> dict[str, str]:
    """The headers of a request made with a course API key."""
    return {"Authorization": f"Api-Key {api_key}"}

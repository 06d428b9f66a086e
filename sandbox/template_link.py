"""The supervisor's side of one template: start it, ask it for children, collect their ends."""

from __future__ import annotations

import os
import socket
import sys
from collections import deque
from dataclasses import dataclass

from sandbox.control import control_pair, recv_message, send_message
from sandbox.runtime_paths import project_root
from sandbox.template import TemplateSpec, run_template

# Runtimes whose template is forked from the supervisor (which holds the server's warm
# libraries and has read no request yet); the others start as a fresh interpreter.
FORKED_RUNTIMES = frozenset({"torch"})


class TemplateGone(RuntimeError):
    """The template died or broke its protocol; the slot must restart from a fresh supervisor."""


@dataclass(frozen=True)
class ExitReport:
    """How a child ended: its raw wait status and the CPU time (user + system) it used."""

    status: int
    cpu_time_s: float


class TemplateLink:
    """One template process and its control socket; not thread-safe (a supervisor is not)."""

    def __init__(self, runtime: str, pid: int, control: socket.socket) -> None:
        self.runtime = runtime
        self.pid = pid
        self.control = control
        self._spawned: deque[tuple[int, int]] = deque()
        self._exits: dict[int, ExitReport] = {}

    @classmethod
    def start(cls, runtime: str) -> TemplateLink:
        """Start the template for ``runtime`` as a child of the calling supervisor; it waits
        for ``init``. Call only before the supervisor has read any request: a forked template
        copies the caller's memory."""
        ours, theirs = control_pair()
        supervisor_pid = os.getpid()
        if runtime in FORKED_RUNTIMES:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    ours.close()
                    run_template(theirs, runtime, supervisor_pid)
                finally:
                    os._exit(1)
        else:
            pid = _spawn_interpreter(runtime, theirs, supervisor_pid)
        theirs.close()
        return cls(runtime, pid, ours)

    def init(self, spec: TemplateSpec) -> None:
        """Send the template its settings; it then settles in and serves requests."""
        self._send({"kind": "init", "spec": spec.as_dict()})

    def fileno(self) -> int:
        """The control socket's descriptor, to poll for the template's reports."""
        return self.control.fileno()

    def _send(self, message: dict, fds: list[int] | None = None) -> None:
        try:
            send_message(self.control, message, fds or [])
        except OSError as exc:
            raise TemplateGone(f"the {self.runtime} template {self.pid} is gone: {exc}") from None

    def request_child(self, channel_fd: int, stdout_fd: int, stderr_fd: int) -> None:
        """Ask for a child using these descriptors (the caller closes its copies afterwards)."""
        self._send({"kind": "spawn"}, [channel_fd, stdout_fd, stderr_fd])

    def receive(self) -> None:
        """Read one message (blocking); raises TemplateGone at end of stream or on nonsense."""
        try:
            received = recv_message(self.control)
        except (OSError, ValueError, RuntimeError) as exc:
            raise TemplateGone(f"the {self.runtime} template {self.pid} failed: {exc}") from None
        if received is None:
            raise TemplateGone(f"the {self.runtime} template {self.pid} ended")
        message, fds = received
        kind = message.get("kind")
        if kind == "spawned" and type(message.get("pid")) is int and len(fds) == 1:
            self._spawned.append((message["pid"], fds[0]))
            return
        if kind == "exited" and type(message.get("pid")) is int and not fds:
            status, cpu_time_s = message.get("status"), message.get("cpu_time_s")
            if type(status) is int and type(cpu_time_s) is float:
                self._exits[message["pid"]] = ExitReport(status, cpu_time_s)
                return
        for fd in fds:
            os.close(fd)
        raise TemplateGone(f"the {self.runtime} template {self.pid} sent {kind!r} unexpectedly")

    def next_child(self) -> tuple[int, int]:
        """(pid, pidfd) of the oldest requested child, waiting for the template if needed."""
        while not self._spawned:
            self.receive()
        return self._spawned.popleft()

    def exit_report(self, pid: int) -> ExitReport | None:
        """The report on child ``pid`` if it has arrived (removing it), else None."""
        return self._exits.pop(pid, None)

    def wait_exit(self, pid: int) -> ExitReport:
        """Block until the template has reaped child ``pid``; return how it ended."""
        while pid not in self._exits:
            self.receive()
        return self._exits.pop(pid)


def _spawn_interpreter(runtime: str, control: socket.socket, supervisor_pid: int) -> int:
    """``python -m sandbox.template`` with the control socket inherited; returns its pid."""
    environment = dict(os.environ)
    paths = [project_root(), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    argv = [sys.executable, "-m", "sandbox.template"]
    argv += [runtime, str(control.fileno()), str(supervisor_pid)]
    os.set_inheritable(control.fileno(), True)
    return os.posix_spawn(sys.executable, argv, environment)

"""Start long-running services, restart each with backoff when it dies, stop them in order.

Plain standard library (it also runs as the per-service wrapper below, as a script, without
importing the project). Every service runs under a small wrapper process
(``python config/supervise.py LAUNCHER_PID -- COMMAND …``) that leads the service's own process
group and session:

- the wrapper asks Linux for a signal when the launcher dies (``PR_SET_PDEATHSIG``), and then
  SIGKILLs its whole process group, so nothing the service started outlives a launcher that was
  killed, even with SIGKILL;
- the service itself gets SIGKILL when the wrapper dies;
- when the service ends, the wrapper exits with its status and the launcher SIGKILLs what is
  left of the group (e.g. a Celery worker's pool processes) before restarting it.

Services that start their own sessions (the sandbox's job children) chain parent-death signals
themselves (``sandbox/supervisor.py``, ``sandbox/template.py``, ``sandbox/child.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

PR_SET_PDEATHSIG = 1
PARENT_GONE_SIGNAL = signal.SIGUSR1
"""What the wrapper receives when the launcher dies (only the wrapper: it is not forwarded)."""
EXIT_PARENT_GONE = 97
POLL_INTERVAL_S = 0.2
LOG_TAIL_LINES = 20


class StartupError(Exception):
    """A service could not start; the message says which, why, and where its log is."""


@dataclass(frozen=True)
class Backoff:
    """When to restart a service that died: exponential, capped, forgiven after a good run.

    The n-th death in a row waits ``first_s * factor ** (n - 1)`` seconds, at most ``max_s``;
    a service that had run for ``reset_after_s`` seconds or more before dying counts as a first
    death again.
    """

    first_s: float = 1.0
    factor: float = 2.0
    max_s: float = 30.0
    reset_after_s: float = 60.0

    def delay_s(self, deaths_in_a_row: int) -> float:
        """Seconds to wait before the next start after ``deaths_in_a_row`` (≥ 1) deaths."""
        if deaths_in_a_row < 1:
            raise ValueError("deaths_in_a_row counts the death being handled: 1 or more")
        return min(self.first_s * self.factor ** (deaths_in_a_row - 1), self.max_s)

    def deaths_in_a_row(self, previous: int, ran_for_s: float) -> int:
        """The count after a death of a service that had run ``ran_for_s`` seconds since its
        start, when ``previous`` deaths in a row came before that start."""
        return 1 if ran_for_s >= self.reset_after_s else previous + 1


@dataclass(frozen=True)
class Service:
    """One long-running process: its command, environment and how to tell it is ready.

    ``ready`` is polled after each start (ordering: a service is started only once the ones
    declared before it are ready); ``before_start`` runs before each start (e.g. to remove a
    stale socket). ``stop_timeout_s`` is how long SIGTERM may take before SIGKILL.
    """

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    cwd: Path | None = None
    ready: Callable[[], bool] | None = None
    before_start: Callable[[], None] | None = None
    stop_timeout_s: float = 20.0


@dataclass
class _Running:
    service: Service
    log_path: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    deaths_in_a_row: int = 0
    restart_at: float | None = None
    restarts: int = 0
    log_offset: int = 0


class Supervisor:
    """Runs services, each under a wrapper in its own process group, with logs in ``log_dir``
    (``<name>.log``, appended to); reports starts, deaths and restarts on ``out``."""

    def __init__(
        self,
        log_dir: Path,
        backoff: Backoff | None = None,
        ready_timeout_s: float = 60.0,
        out: IO[str] | None = None,
    ) -> None:
        self.log_dir = log_dir
        self.backoff = backoff or Backoff()
        self.ready_timeout_s = ready_timeout_s
        self.out = out or sys.stderr
        self.running: list[_Running] = []

    def start(self, service: Service) -> None:
        """Start ``service`` and wait until it is ready.

        Raises:
            StartupError: it exited or did not become ready within ``ready_timeout_s``; the
                message quotes the end of its log.
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)
        entry = _Running(service, self.log_dir / f"{service.name}.log")
        self.running.append(entry)
        self._spawn(entry)
        deadline = time.monotonic() + self.ready_timeout_s
        while service.ready is not None and not service.ready():
            assert entry.process is not None
            if entry.process.poll() is not None:
                self._clear_group(entry)
                raise StartupError(
                    f"{service.name} exited during start-up ({_describe(entry.process)}); "
                    f"the end of {entry.log_path}:\n{_tail(entry.log_path)}"
                )
            if time.monotonic() > deadline:
                raise StartupError(
                    f"{service.name} was not ready within {self.ready_timeout_s:.0f} s; "
                    f"the end of {entry.log_path}:\n{_tail(entry.log_path)}"
                )
            time.sleep(POLL_INTERVAL_S)

    def pid(self, name: str) -> int | None:
        """The pid of the wrapper of service ``name`` (its process group), None if not running."""
        for entry in self.running:
            if entry.service.name == name and entry.process and entry.process.poll() is None:
                return entry.process.pid
        return None

    def output_since_start(self, name: str) -> str:
        """What service ``name`` has written to its log since its latest start."""
        for entry in self.running:
            if entry.service.name == name:
                with open(entry.log_path, "rb") as log:
                    log.seek(entry.log_offset)
                    return log.read().decode(errors="replace")
        raise KeyError(f"no service named {name!r}")

    def watch(self) -> NoReturn:
        """Restart services that die, with backoff, for ever (until a signal handler raises)."""
        while True:
            self.check()
            time.sleep(POLL_INTERVAL_S)

    def check(self) -> None:
        """One pass: note the services that died since the last pass and restart those whose
        backoff has run out."""
        now = time.monotonic()
        for entry in self.running:
            if entry.restart_at is None and entry.process and entry.process.poll() is not None:
                self._clear_group(entry)
                ran_for_s = now - entry.started_at
                entry.deaths_in_a_row = self.backoff.deaths_in_a_row(
                    entry.deaths_in_a_row, ran_for_s
                )
                delay_s = self.backoff.delay_s(entry.deaths_in_a_row)
                entry.restart_at = now + delay_s
                self._say(
                    f"{entry.service.name} stopped ({_describe(entry.process)}) after "
                    f"{ran_for_s:.1f} s; restarting it in {delay_s:.1f} s (log: {entry.log_path})"
                )
            elif entry.restart_at is not None and now >= entry.restart_at:
                entry.restart_at = None
                entry.restarts += 1
                self._spawn(entry)

    def stop(self) -> None:
        """Stop every service in reverse start order, each before the next (so workers still
        have Redis while they finish): SIGTERM, then SIGKILL of its whole group after its
        ``stop_timeout_s``. A KeyboardInterrupt meanwhile SIGKILLs what is left at once."""
        try:
            for entry in reversed(self.running):
                self._stop_one(entry)
        except KeyboardInterrupt:
            self._say("stopping at once")
            for entry in self.running:
                self._clear_group(entry)
        for entry in self.running:
            if entry.process is not None and entry.process.poll() is None:
                entry.process.wait()

    def _stop_one(self, entry: _Running) -> None:
        process = entry.process
        if process is None:
            return
        entry.restart_at = None
        if process.poll() is None:
            asked_at = time.monotonic()
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=entry.service.stop_timeout_s)
                self._say(f"stopped {entry.service.name} in {time.monotonic() - asked_at:.1f} s")
            except subprocess.TimeoutExpired:
                self._say(f"{entry.service.name} did not stop in time; killing it")
        self._clear_group(entry)
        process.wait()

    def _spawn(self, entry: _Running) -> None:
        service = entry.service
        if service.before_start is not None:
            service.before_start()
        wrapper = [sys.executable, str(Path(__file__).resolve()), str(os.getpid()), "--"]
        with open(entry.log_path, "ab") as log:
            entry.log_offset = log.tell()
            entry.process = subprocess.Popen(
                [*wrapper, *service.command],
                cwd=service.cwd,
                env=dict(service.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        entry.started_at = time.monotonic()
        again = f" (restart {entry.restarts})" if entry.restarts else ""
        self._say(f"started {service.name}{again}, pid {entry.process.pid}, log {entry.log_path}")

    def _clear_group(self, entry: _Running) -> None:
        """SIGKILL the wrapper's process group: the service and anything it left behind."""
        if entry.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(entry.process.pid, signal.SIGKILL)

    def _say(self, message: str) -> None:
        print(f"supervise: {message}", file=self.out, flush=True)


def _describe(process: subprocess.Popen) -> str:
    code = process.returncode
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    if code is not None and code > 128 and code - 128 in signal.valid_signals():
        return f"killed by {signal.Signals(code - 128).name}"
    return f"exit status {code}"


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-LOG_TAIL_LINES:])


def _set_parent_death_signal(signum: int) -> None:
    """Ask Linux to send ``signum`` to this process when its parent thread ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def die_with_parent() -> None:
    """For ``preexec_fn`` (between fork and exec): the new process gets SIGKILL when its
    parent ends. Raises OSError if Linux refuses."""
    _set_parent_death_signal(signal.SIGKILL)


def wrap(launcher_pid: int, command: Sequence[str]) -> int:
    """Run ``command`` as the wrapper of one service; return the status to exit with.

    Forwards SIGTERM and SIGINT to the service; SIGKILLs the whole process group when the
    launcher ``launcher_pid`` dies. The status is the service's, 128 + N when signal N killed it.
    """

    def parent_gone(signum: int, frame: object) -> None:
        os.killpg(0, signal.SIGKILL)

    signal.signal(PARENT_GONE_SIGNAL, parent_gone)
    _set_parent_death_signal(PARENT_GONE_SIGNAL)
    if os.getppid() != launcher_pid:  # it died before the request above
        os.killpg(0, signal.SIGKILL)
    service = subprocess.Popen(command, preexec_fn=die_with_parent)  # noqa: PLW1509

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            service.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = service.wait()
    return 128 - code if code < 0 else code


def main(argv: Sequence[str]) -> NoReturn:
    """``python config/supervise.py LAUNCHER_PID -- COMMAND [ARG …]``: the service wrapper."""
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        print("usage: supervise.py LAUNCHER_PID -- COMMAND [ARG ...]", file=sys.stderr)
        sys.exit(2)
    sys.exit(wrap(int(argv[0]), argv[2:]))


if __name__ == "__main__":
    main(sys.argv[1:])

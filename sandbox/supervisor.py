"""One slot of the server: keeps an idle contained child ready, runs one job at a time in it.

The supervisor is trusted and runs as root. It accepts a connection, hands the job to its idle
child, enforces the wall-clock deadline and the output caps, kills the job's whole process
tree (every process of the slot's uid), decides the status, answers, and forks the next child.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sandbox.child import ChildPlan, run_child
from sandbox.codec import CodecError, decode_value
from sandbox.framing import FrameError, FrameReader, pack_frame, recv_frame, send_frame
from sandbox.job import ErrorInfo
from sandbox.layers import libc, seccomp
from sandbox.layers.config import ContainConfig
from sandbox.limits import Limits
from sandbox.memory_cgroup import CgroupUnavailable, MemoryCgroup, create_slot_cgroup
from sandbox.server_config import ServerConfig

CHILD_RESULT_STATUSES = frozenset({"ok", "error", "bad_return", "memory_limit", "output_limit"})
REQUEST_TIMEOUT_S = 30.0
READ_CHUNK = 1 << 16
FRAME_OVERHEAD_BYTES = 1 << 20
OOM_SCORE_ADJ_NEVER = "-1000"


def address_space_bytes() -> int:
    """Current virtual size (VmSize) of this process, the baseline a job starts from."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmSize missing from /proc/self/status")


@dataclass
class IdleChild:
    """A forked child isolating itself (or already waiting) for its job."""

    pid: int
    pidfd: int
    channel: socket.socket
    stdout_fd: int
    stderr_fd: int

    def close(self) -> None:
        self.channel.close()
        for fd in (self.pidfd, self.stdout_fd, self.stderr_fd):
            os.close(fd)


@dataclass
class JobRun:
    """Everything observed while one job ran."""

    limits: Limits
    call_count: int
    frames: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    stopped_for: str | None = None
    stop_message: str = ""
    wait_status: int | None = None
    cpu_time_s: float = 0.0
    duration_ms: float = 0.0


class SlotSupervisor:
    """Runs jobs for one slot (one uid, one memory cgroup, one idle child)."""

    def __init__(self, slot: int, listener: socket.socket, config: ServerConfig) -> None:
        self.slot = slot
        self.listener = listener
        self.config = config
        self.uid = config.uid_base + slot
        self.cgroup: MemoryCgroup | None = None
        self.baseline_address_space = 0

    def serve_forever(self) -> NoReturn:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
        libc.prctl(libc.PR_SET_CHILD_SUBREAPER, 1)
        try:
            self.cgroup = create_slot_cgroup(self.uid)
            self.cgroup.remove_limit()
            self.cgroup.join()
        except CgroupUnavailable as exc:
            _log(f"slot {self.slot}: memory capped by RLIMIT_AS instead of a cgroup ({exc})")
        except OSError as exc:
            self.cgroup = None
            _log(f"slot {self.slot}: cannot use the memory cgroup, using RLIMIT_AS ({exc})")
        try:
            with open("/proc/self/oom_score_adj", "w") as score:
                score.write(OOM_SCORE_ADJ_NEVER)
        except OSError:
            pass  # needs CAP_SYS_RESOURCE; jobs still go first, they raise their own score to 1000
        self.baseline_address_space = address_space_bytes()
        seccomp.prepare()
        try:
            libc.unshare(libc.CLONE_NEWNET)
        except OSError as exc:
            _log(f"slot {self.slot}: each job creates its own network namespace ({exc})")
        while True:
            child = self._spawn_child()
            while child is not None:
                connection, _ = self.listener.accept()
                with connection:
                    child = self._serve_connection(connection, child)

    def _plan(self, channel_fd: int, stdout_fd: int, stderr_fd: int) -> ChildPlan:
        contain_config = ContainConfig(
            uid=self.uid,
            gid=self.uid,
            channel_fd=channel_fd,
            stdout_fd=stdout_fd,
            stderr_fd=stderr_fd,
            readonly_paths=self.config.readonly_paths,
            hidden_paths=self.config.hidden_paths,
            staging_dir=self.config.staging_dir,
            host_network_namespace=self.config.host_network_namespace,
            workdir_size_mb=self.config.workdir_size_mb,
            cgroup_procs_file=None if self.cgroup is None else self.cgroup.procs_file,
        )
        return ChildPlan(
            config=contain_config,
            max_request_bytes=self.config.max_request_bytes,
            memory_cgroup_active=self.cgroup is not None,
            baseline_address_space_bytes=self.baseline_address_space,
            insecure=self.config.insecure,
        )

    def _spawn_child(self) -> IdleChild:
        parent_channel, child_channel = socket.socketpair()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        plan = self._plan(child_channel.fileno(), stdout_write, stderr_write)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                run_child(plan)
            finally:
                os._exit(70)
        child_channel.close()
        os.close(stdout_write)
        os.close(stderr_write)
        return IdleChild(pid, os.pidfd_open(pid), parent_channel, stdout_read, stderr_read)

    def _serve_connection(self, connection: socket.socket, child: IdleChild) -> IdleChild | None:
        """Answer one request; return the child if it is still unused, else None."""
        connection.settimeout(REQUEST_TIMEOUT_S)
        try:
            header, blobs = recv_frame(connection, self.config.max_request_bytes)
        except FrameError as exc:
            _reply(connection, {"kind": "invalid_request", "message": str(exc)}, [])
            return child
        except OSError as exc:
            _log(f"slot {self.slot}: dropped a request: {exc}")
            return child
        if header.get("kind") == "ping":
            _reply(connection, {"kind": "pong"}, [])
            return child
        try:
            limits = Limits.from_dict(header.get("limits", {}))
            call_count = len(header["calls"])
        except (ValueError, KeyError, TypeError) as exc:
            _reply(connection, {"kind": "invalid_request", "message": str(exc)}, [])
            return child
        if _has_exited(child):
            child = self._replace_dead_child(child)
        _reply(connection, {"kind": "accepted"}, [])
        run = JobRun(limits=limits, call_count=call_count)
        try:
            response, response_blobs = self._run(child, run, pack_frame(header, blobs))
            _reply(connection, response, response_blobs)
        finally:
            self._finish(child, run)
        return None

    def _replace_dead_child(self, child: IdleChild) -> IdleChild:
        """An idle child died before getting a job (setup failure or an outside kill)."""
        _, status, _ = os.wait4(child.pid, 0)
        child.close()
        _log(f"slot {self.slot}: idle child {child.pid} died (wait status {status}); forking anew")
        return self._spawn_child()

    def _run(
        self, child: IdleChild, run: JobRun, request: bytes
    ) -> tuple[dict[str, Any], list[bytes]]:
        """Run the job and decide its result; the dead child is reaped later by _finish."""
        oom_before = self._oom_kills()
        try:
            if self.cgroup is not None:
                self.cgroup.set_limit_mb(run.limits.memory_mb)
        except OSError as exc:
            run.stop_message = f"could not set the memory limit of {self.cgroup.path}: {exc}"
        try:
            if not run.stop_message:
                self._supervise(child, run, request)
        finally:
            self._kill_job(child.pid)
        # Output written before the kill (or before the result frame) is already in the pipes.
        for fd in (child.stdout_fd, child.stderr_fd):
            os.set_blocking(fd, False)
            while self._read_output(fd, child, run, enforce=False):
                pass
        memory_killed = self._oom_kills() > oom_before
        return self._response(run, memory_killed)

    def _finish(self, child: IdleChild, run: JobRun) -> None:
        """Make sure the job and everything it started is dead and reaped."""
        self._kill_job(child.pid)
        if run.wait_status is None:
            _, run.wait_status, _ = os.wait4(child.pid, 0)
        child.close()
        self._reap_strays()
        if self.cgroup is not None:
            try:
                self.cgroup.remove_limit()
            except OSError as exc:
                _log(f"slot {self.slot}: could not lift the memory limit: {exc}")

    def _supervise(self, child: IdleChild, run: JobRun, request: bytes) -> None:
        started = time.monotonic()
        deadline = started + run.limits.wall_time_s
        reader = FrameReader(run.limits.max_return_bytes + FRAME_OVERHEAD_BYTES)
        child.channel.setblocking(False)
        pending = memoryview(request)
        poller = select.poll()
        for fd in (child.channel.fileno(), child.stdout_fd, child.stderr_fd, child.pidfd):
            poller.register(fd, select.POLLIN)
        channel_fd = child.channel.fileno()
        if pending:
            poller.modify(channel_fd, select.POLLIN | select.POLLOUT)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    limit = run.limits.wall_time_s
                    self._stop(run, "timeout", f"the job ran longer than its {limit} s time limit")
                    return
                for fd, events in poller.poll(remaining * 1000):
                    if fd == child.pidfd:
                        _, run.wait_status, usage = os.wait4(child.pid, 0)
                        run.cpu_time_s = usage.ru_utime + usage.ru_stime
                        self._read_channel(child.channel, reader, run)
                        return
                    if fd == channel_fd and events & select.POLLOUT and pending:
                        sent = child.channel.send(pending)
                        pending = pending[sent:]
                        if not pending:
                            poller.modify(channel_fd, select.POLLIN)
                    if fd == channel_fd and events & (select.POLLIN | select.POLLHUP):
                        if not self._read_channel(child.channel, reader, run):
                            poller.unregister(channel_fd)
                        if _has_result(run):
                            return
                    elif fd in (child.stdout_fd, child.stderr_fd):
                        if not self._read_output(fd, child, run):
                            poller.unregister(fd)
                        if run.stopped_for:
                            return
        except FrameError as exc:
            self._stop(run, "return_size", str(exc))
        except OSError as exc:
            # The child vanished while the job was being handed over (it could not start).
            run.stop_message = f"could not hand the job to the child: {exc}"
        finally:
            run.duration_ms = (time.monotonic() - started) * 1000

    def _stop(self, run: JobRun, reason: str, message: str) -> None:
        run.stopped_for = reason
        run.stop_message = message

    def _read_channel(self, channel: socket.socket, reader: FrameReader, run: JobRun) -> bool:
        """Read what the child sent; return False at end of stream."""
        while True:
            try:
                data = channel.recv(1 << 20)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            reader.feed(data)
            while (frame := reader.next_frame()) is not None:
                run.frames.append(frame)

    def _read_output(self, fd: int, child: IdleChild, run: JobRun, enforce: bool = True) -> bool:
        """Read stdout/stderr, keeping up to the cap; stop the job beyond it if ``enforce``."""
        try:
            data = os.read(fd, READ_CHUNK)
        except OSError:  # EAGAIN once a non-blocking pipe is empty, or the pipe is gone
            return False
        if not data:
            return False
        buffer = run.stdout if fd == child.stdout_fd else run.stderr
        room = run.limits.max_output_bytes - len(buffer)
        buffer.extend(data[: max(room, 0)])
        if len(data) > room:
            name = "stdout" if fd == child.stdout_fd else "stderr"
            setattr(run, f"{name}_truncated", True)
            if enforce and not run.stopped_for:
                self._stop(
                    run,
                    "output",
                    f"{name} exceeded the limit of {run.limits.max_output_bytes} bytes",
                )
        return True

    def _kill_job(self, pid: int) -> None:
        """SIGKILL the child and every process of the slot's uid (its whole process tree)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        if os.geteuid() != 0 or self.config.insecure:
            return
        os.setresuid(self.uid, self.uid, 0)
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        finally:
            os.setresuid(0, 0, 0)

    def _reap_strays(self) -> None:
        """Reap orphans of the job re-parented to this supervisor (it is a child subreaper)."""
        while True:
            try:
                pid, _ = os.waitpid(-1, 0)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def _oom_kills(self) -> int:
        if self.cgroup is None:
            return 0
        try:
            return self.cgroup.oom_kill_count()
        except OSError:
            return 0

    def _response(self, run: JobRun, memory_killed: bool) -> tuple[dict[str, Any], list[bytes]]:
        status, outputs, blobs, error, signal_number = _decide(run, memory_killed)
        if status == "sandbox_error":
            _log(f"slot {self.slot}: sandbox error: {error.message if error else ''}")
        header = {
            "kind": "result",
            "status": status,
            "outputs": outputs,
            "error": None if error is None else error.as_dict(),
            "signal": signal_number,
            "stdout": _text(run.stdout, run.stdout_truncated, "stdout", run.limits),
            "stderr": _text(run.stderr, run.stderr_truncated, "stderr", run.limits),
            "duration_ms": round(run.duration_ms, 3),
        }
        return header, blobs


def _has_exited(child: IdleChild) -> bool:
    readable, _, _ = select.select([child.pidfd], [], [], 0)
    return bool(readable)


def _has_result(run: JobRun) -> bool:
    return any(frame[0].get("kind") == "result" for frame in run.frames)


def _text(data: bytearray, truncated: bool, name: str, limits: Limits) -> str:
    text = data.decode("utf-8", errors="replace")
    if truncated:
        text += f"\n[sandbox: {name} truncated at {limits.max_output_bytes} bytes]"
    return text


def _error(kind: str, message: str) -> ErrorInfo:
    return ErrorInfo(type=kind, message=message)


def _child_result(
    run: JobRun,
) -> tuple[str, list[Any], list[bytes], ErrorInfo | None] | None:
    """The child's own result frame, validated, if it sent one after starting the job."""
    kinds = [frame[0].get("kind") for frame in run.frames]
    if "started" not in kinds:
        return None
    for header, blobs in run.frames[kinds.index("started") + 1 :]:
        if header.get("kind") != "result":
            continue
        status = header.get("status")
        outputs = header.get("outputs")
        error = header.get("error")
        error_info = ErrorInfo.from_dict(error) if type(error) is dict else None
        if status not in CHILD_RESULT_STATUSES or type(outputs) is not list:
            return "bad_return", [], [], _error("BadReturnValue", "malformed result from the job")
        if len(outputs) > run.call_count:
            return "bad_return", [], [], _error("BadReturnValue", "more outputs than calls")
        try:
            decode_value(outputs, blobs, "outputs")
        except (CodecError, RecursionError) as exc:
            return "bad_return", [], [], _error("BadReturnValue", str(exc))
        return status, outputs, blobs, error_info
    return None


def _hit_cpu_limit(signal_number: int | None, run: JobRun) -> bool:
    """The job died of its RLIMIT_CPU: SIGXCPU at the soft limit, or SIGKILL at the hard one.

    Only the kernel (or the job itself) can send SIGXCPU to a slot's uid, so that signal alone
    decides. The hard limit comes one CPU second after the soft one, so a SIGKILL after the job
    had used its soft limit is the hard limit. The kernel counts CPU time in scheduler ticks
    while ``wait4`` reports the exact run time, which trails the tick count on a busy machine;
    comparing with the soft limit leaves that whole second of slack.
    """
    if signal_number == signal.SIGXCPU:
        return True
    return signal_number == signal.SIGKILL and run.cpu_time_s >= run.limits.cpu_time_rlimit_s


def _decide(
    run: JobRun, memory_killed: bool
) -> tuple[str, list[Any], list[bytes], ErrorInfo | None, int | None]:
    """Turn what was observed into (status, outputs, blobs, error, signal)."""
    kinds = [frame[0].get("kind") for frame in run.frames]
    signal_number = None
    if run.wait_status is not None and os.WIFSIGNALED(run.wait_status):
        signal_number = os.WTERMSIG(run.wait_status)
    if "started" not in kinds:
        setup = [frame[0] for frame in run.frames if frame[0].get("kind") == "setup_failed"]
        message = str(setup[0].get("message")) if setup else run.stop_message
        if not message:
            message = "the job process ended before it could start"
        return "sandbox_error", [], [], _error("SandboxError", message), signal_number
    if run.stopped_for == "timeout":
        return "timeout", [], [], _error("TimeLimitExceeded", run.stop_message), signal.SIGKILL
    if run.stopped_for in ("output", "return_size"):
        return "output_limit", [], [], _error("OutputLimitExceeded", run.stop_message), None
    result = _child_result(run)
    if result is not None:
        status, outputs, blobs, error = result
        return status, outputs, blobs, error, None
    if memory_killed:
        message = f"the job used more than its memory limit of {run.limits.memory_mb} MB"
        return "memory_limit", [], [], _error("MemoryLimitExceeded", message), signal_number
    if _hit_cpu_limit(signal_number, run):
        message = f"CPU time limit of {run.limits.cpu_time_rlimit_s} s exceeded"
        return "timeout", [], [], _error("TimeLimitExceeded", message), signal_number
    if signal_number is not None:
        name = signal.Signals(signal_number).name
        message = f"the job was killed by signal {signal_number} ({name})"
        return "killed", [], [], _error("Killed", message), signal_number
    code = os.WEXITSTATUS(run.wait_status) if run.wait_status is not None else None
    message = (
        f"the code ended the process (exit status {code}) before returning its results; "
        "do not call os._exit or close the sandbox's channel"
    )
    return "error", [], [], _error("ProcessExit", message), None


def _reply(connection: socket.socket, header: dict[str, Any], blobs: list[bytes]) -> None:
    try:
        send_frame(connection, header, blobs)
    except OSError as exc:
        _log(f"could not answer the client: {exc}")


def _log(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr, flush=True)

"""One slot of the server: runs one job at a time in a child forked by the slot's template.

The supervisor is trusted and runs as root. Before it reads any request it starts one
template per runtime (``template.py``); from then on it reads requests and results, but no
process is ever forked from it again. Per job it hands the request straight to the idle child
of the job's runtime over that child's channel, enforces the wall-clock deadline, keeps the
first ``max_output_bytes`` of stdout and stderr and drains the rest, kills the job's whole
process tree (every process of the runtime's slot uid), decides the status from the result
frame and the template's report on the child, answers, and asks the template for the next
idle child.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from sandbox.cpu_limit import CpuLimit, describe, set_up_cpu_limit, without_cgroup
from sandbox.framing import FrameError, FrameReader, pack_frame, recv_frame, send_frame
from sandbox.layers import libc
from sandbox.limits import Limits
from sandbox.memory_cgroup import CgroupUnavailable, MemoryCgroup, create_slot_cgroup
from sandbox.runtimes import DEFAULT_RUNTIME, RUNTIMES, check_runtime
from sandbox.server_config import ServerConfig
from sandbox.status import JobRun, decide, has_result, output_text
from sandbox.template import TemplateSpec
from sandbox.template_link import TemplateGone, TemplateLink
from sandbox.uid_pool import slot_uid

REQUEST_TIMEOUT_S = 30.0
READ_CHUNK = 1 << 16
DRAIN_CHUNK = 1 << 20
FRAME_OVERHEAD_BYTES = 1 << 20
OOM_SCORE_ADJ_NEVER = "-1000"
EXIT_MASTER_GONE = 75


@dataclass
class IdleChild:
    """A child requested from a template; ``pid`` and ``pidfd`` are 0/-1 until it reported."""

    runtime: str
    channel: socket.socket
    stdout_fd: int
    stderr_fd: int
    pid: int = 0
    pidfd: int = -1

    def close(self) -> None:
        """Close the supervisor's ends of the child's channel and pipes, and its pidfd."""
        self.channel.close()
        for fd in (self.pidfd, self.stdout_fd, self.stderr_fd):
            if fd >= 0:
                os.close(fd)


class SlotSupervisor:
    """Runs jobs for one slot: a uid per runtime, one memory and CPU cgroup, the templates."""

    def __init__(
        self, slot: int, listener: socket.socket, config: ServerConfig, master_pid: int
    ) -> None:
        self.slot = slot
        self.master_pid = master_pid
        self.listener = listener
        self.config = config
        self.uids = {runtime: slot_uid(config.uid_base, slot, runtime) for runtime in RUNTIMES}
        self.memory: MemoryCgroup | None = None
        self.cpu: CpuLimit | None = None
        self.templates: dict[str, TemplateLink] = {}
        self.idle: dict[str, IdleChild] = {}
        self.devnull = -1

    def serve_forever(self) -> NoReturn:
        """Set the slot up, start its templates, then answer connections until killed.

        Raises TemplateGone when a template ends (the master then restarts the slot).
        """
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self._arm_master_death()
        libc.prctl(libc.PR_SET_CHILD_SUBREAPER, 1)
        for uid in self.uids.values():
            self._kill_uid(uid)  # whatever an earlier supervisor of this slot left running
        self._set_up_cgroups()
        try:
            with open("/proc/self/oom_score_adj", "w") as score:
                score.write(OOM_SCORE_ADJ_NEVER)  # inherited by the templates
        except OSError:
            pass  # needs CAP_SYS_RESOURCE; jobs still go first, they raise their own score to 1000
        try:
            libc.unshare(libc.CLONE_NEWNET)
        except OSError as exc:
            _log(f"slot {self.slot}: each job creates its own network namespace ({exc})")
        self._start_templates()
        self.devnull = os.open(os.devnull, os.O_WRONLY)
        for runtime in RUNTIMES:
            self.idle[runtime] = self._request_child(runtime)
        while True:
            connection, _ = self.listener.accept()
            with connection:
                self._serve_connection(connection)

    def _set_up_cgroups(self) -> None:
        name_uid = self.uids[DEFAULT_RUNTIME]
        try:
            self.memory = create_slot_cgroup(name_uid)
            self.memory.remove_limit()
        except CgroupUnavailable as exc:
            _log(f"slot {self.slot}: memory capped by RLIMIT_AS instead of a cgroup ({exc})")
        except OSError as exc:
            self.memory = None
            _log(f"slot {self.slot}: cannot use the memory cgroup, using RLIMIT_AS ({exc})")
        self.cpu = set_up_cpu_limit(name_uid, self.config.cpu_share_cores)

    def _start_templates(self) -> None:
        """Start every runtime's template (before any request), place them in the slot's
        cgroups, then send each its settings."""
        links = {runtime: TemplateLink.start(runtime) for runtime in RUNTIMES}
        pids = [link.pid for link in links.values()]
        if self.memory is not None:
            try:
                _move_into(self.memory.procs_file, pids)
            except OSError as exc:
                self.memory = None
                _log(f"slot {self.slot}: cannot use the memory cgroup, using RLIMIT_AS ({exc})")
        assert self.cpu is not None
        if self.cpu.procs_file is not None:
            try:
                _move_into(self.cpu.procs_file, pids)
            except OSError as exc:
                self.cpu = without_cgroup(self.cpu, f"cannot join {self.cpu.procs_file}: {exc}")
        _log(f"slot {self.slot}: CPU share {describe(self.cpu)}")
        for runtime, link in links.items():
            link.init(self._spec(runtime))
        self.templates = links

    def _spec(self, runtime: str) -> TemplateSpec:
        assert self.cpu is not None
        mounts = self.config.mounts[runtime]
        procs_files = [] if self.memory is None else [self.memory.procs_file]
        if self.cpu.procs_file is not None and self.cpu.procs_file not in procs_files:
            procs_files.append(self.cpu.procs_file)
        return TemplateSpec(
            runtime=runtime,
            uid=self.uids[runtime],
            readonly_paths=mounts.readonly_paths,
            hidden_paths=mounts.hidden_paths,
            staging_dir=self.config.staging_dir,
            host_network_namespace=self.config.host_network_namespace,
            workdir_size_mb=self.config.workdir_size_mb,
            max_request_bytes=self.config.max_request_bytes,
            insecure=self.config.insecure,
            cgroup_procs_files=tuple(procs_files),
            blocked_packages=tuple(
                path
                for path in mounts.hidden_paths
                if path in self.config.blocked_packages.get(runtime, ())
            ),
            memory_cgroup_active=self.memory is not None,
            max_threads=self.cpu.max_threads,
        )

    def _request_child(self, runtime: str) -> IdleChild:
        """Ask the runtime's template for the next idle child (it forks while we go on)."""
        parent_channel, child_channel = socket.socketpair()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        link = self.templates[runtime]
        try:
            link.request_child(child_channel.fileno(), stdout_write, stderr_write)
        finally:
            child_channel.close()
            os.close(stdout_write)
            os.close(stderr_write)
        return IdleChild(runtime, parent_channel, stdout_read, stderr_read)

    def _ready_child(self, runtime: str) -> IdleChild:
        """The runtime's idle child, known by pid; a fresh one if it died while idle."""
        child = self.idle.pop(runtime)
        link = self.templates[runtime]
        child.pid, child.pidfd = link.next_child()
        if _has_exited(child):  # a setup failure or an outside kill
            report = link.wait_exit(child.pid)
            child.close()
            _log(
                f"slot {self.slot}: idle {runtime} child {child.pid} died "
                f"(wait status {report.status}); asking for another"
            )
            child = self._request_child(runtime)
            child.pid, child.pidfd = link.next_child()
        return child

    def _serve_connection(self, connection: socket.socket) -> None:
        """Answer one request; run it if it is a job."""
        connection.settimeout(REQUEST_TIMEOUT_S)
        try:
            header, blobs = recv_frame(connection, self.config.max_request_bytes)
        except FrameError as exc:
            _reply(connection, {"kind": "invalid_request", "message": str(exc)}, [])
            return
        except OSError as exc:
            _log(f"slot {self.slot}: dropped a request: {exc}")
            return
        if header.get("kind") == "ping":
            _reply(connection, {"kind": "pong"}, [])
            return
        try:
            limits = Limits.from_dict(header.get("limits", {}))
            call_count = len(header["calls"])
            runtime = check_runtime(header.get("runtime", DEFAULT_RUNTIME))
        except (ValueError, KeyError, TypeError) as exc:
            _reply(connection, {"kind": "invalid_request", "message": str(exc)}, [])
            return
        if _client_gone(connection):
            # The client gave up waiting for a slot (its queue timeout) and closed the
            # connection while it sat in the listen queue: running it would hold the slot
            # for a job nobody reads (one student could keep a lane busy with abandoned jobs).
            _log(f"slot {self.slot}: dropped a job its client had given up on")
            return
        child = self._ready_child(runtime)
        _reply(connection, {"kind": "accepted"}, [])
        run = JobRun(limits=limits, call_count=call_count)
        try:
            response, response_blobs = self._run(child, run, pack_frame(header, blobs))
            _reply(connection, response, response_blobs)
        finally:
            self._finish(child, run)
        self.idle[runtime] = self._request_child(runtime)

    def _run(
        self, child: IdleChild, run: JobRun, request: bytes
    ) -> tuple[dict[str, Any], list[bytes]]:
        """Run the job and decide its result; the template reaps the child (see _finish)."""
        oom_before = self._oom_kills()
        try:
            if self.memory is not None:
                self.memory.set_limit_mb(run.limits.memory_mb)
        except OSError as exc:
            run.stop_message = f"could not set the memory limit of {self.memory.path}: {exc}"
        try:
            if not run.stop_message:
                self._supervise(child, run, request)
        finally:
            self._kill_job(child, reaped=run.wait_status is not None)
        # Output written before the kill (or before the result frame) is already in the pipes.
        for fd in (child.stdout_fd, child.stderr_fd):
            os.set_blocking(fd, False)
            while self._read_output(fd, child, run):
                pass
        memory_killed = self._oom_kills() > oom_before
        return self._response(run, memory_killed)

    def _finish(self, child: IdleChild, run: JobRun) -> None:
        """Make sure the job and everything it started is dead and reaped."""
        self._kill_job(child, reaped=run.wait_status is not None)
        if run.wait_status is None:
            run.wait_status = self.templates[child.runtime].wait_exit(child.pid).status
        child.close()
        self._reap_strays()
        if self.memory is not None:
            try:
                self.memory.remove_limit()
            except OSError as exc:
                _log(f"slot {self.slot}: could not lift the memory limit: {exc}")

    def _supervise(self, child: IdleChild, run: JobRun, request: bytes) -> None:
        started = time.monotonic()
        deadline = started + run.limits.wall_time_s
        reader = FrameReader(run.limits.max_return_bytes + FRAME_OVERHEAD_BYTES)
        link = self.templates[child.runtime]
        child.channel.setblocking(False)
        pending = memoryview(request)
        poller = select.poll()
        for fd in (child.channel.fileno(), child.stdout_fd, child.stderr_fd, link.fileno()):
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
                    if fd == link.fileno():
                        link.receive()
                        report = link.exit_report(child.pid)
                        if report is not None:
                            run.wait_status, run.cpu_time_s = report.status, report.cpu_time_s
                            self._read_channel(child.channel, reader, run)
                            return
                    elif fd == channel_fd:
                        if events & select.POLLOUT and pending:
                            sent = child.channel.send(pending)
                            pending = pending[sent:]
                            if not pending:
                                poller.modify(channel_fd, select.POLLIN)
                        if events & (select.POLLIN | select.POLLHUP):
                            if not self._read_channel(child.channel, reader, run):
                                poller.unregister(channel_fd)
                            if has_result(run):
                                return
                    elif not self._read_output(fd, child, run):
                        poller.unregister(fd)
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

    def _read_output(self, fd: int, child: IdleChild, run: JobRun) -> bool:
        """Keep stdout/stderr up to the cap and drop the rest; return False at end or when a
        non-blocking pipe is empty. Output over the cap never stops the job."""
        name = "stdout" if fd == child.stdout_fd else "stderr"
        buffer = run.stdout if name == "stdout" else run.stderr
        room = run.limits.max_output_bytes - len(buffer)
        try:
            if room <= 0:
                dropped = os.splice(fd, self.devnull, DRAIN_CHUNK)
                data = b""
            else:
                data = os.read(fd, READ_CHUNK)
                dropped = max(len(data) - room, 0)
        except OSError:  # EAGAIN once a non-blocking pipe is empty, or the pipe is gone
            return False
        if dropped:
            setattr(run, f"{name}_truncated", True)
        buffer.extend(data[: max(room, 0)])
        return bool(data or dropped)

    def _kill_job(self, child: IdleChild, reaped: bool) -> None:
        """SIGKILL the child and every process of its runtime's slot uid (its whole tree)."""
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
        if os.geteuid() == 0 and not self.config.insecure:
            self._kill_uid(self.uids[child.runtime])
        elif not reaped:
            # Without a uid of its own the job's process group is all that can be found; its
            # number is still the child's while the child is unreaped.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)

    def _arm_master_death(self) -> None:
        """Die (SIGKILL) with the master, which has been gone already if our parent changed.

        Linux forgets this request whenever the effective uid changes, so ``_kill_uid`` arms
        it again after each change: otherwise a killed master would leave this slot serving.
        """
        libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.master_pid:
            os._exit(EXIT_MASTER_GONE)

    def _kill_uid(self, uid: int) -> None:
        """SIGKILL every process running as ``uid`` (root only; templates run as root)."""
        if os.geteuid() != 0 or self.config.insecure:
            return
        os.setresuid(uid, uid, 0)
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        finally:
            os.setresuid(0, 0, 0)
            self._arm_master_death()

    def _reap_strays(self) -> None:
        """Reap orphans re-parented to this supervisor (a child subreaper) after a template
        died; never waits. A template's own end means the slot must restart."""
        templates = {link.pid: link.runtime for link in self.templates.values()}
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in templates:
                raise TemplateGone(f"the {templates[pid]} template ended (wait status {status})")

    def _oom_kills(self) -> int:
        if self.memory is None:
            return 0
        try:
            return self.memory.oom_kill_count()
        except OSError:
            return 0

    def _response(self, run: JobRun, memory_killed: bool) -> tuple[dict[str, Any], list[bytes]]:
        status, outputs, blobs, error, signal_number = decide(run, memory_killed)
        if status == "sandbox_error":
            _log(f"slot {self.slot}: sandbox error: {error.message if error else ''}")
        header = {
            "kind": "result",
            "status": status,
            "outputs": outputs,
            "error": None if error is None else error.as_dict(),
            "signal": signal_number,
            "stdout": output_text(run.stdout, run.stdout_truncated, "stdout", run.limits),
            "stderr": output_text(run.stderr, run.stderr_truncated, "stderr", run.limits),
            "duration_ms": round(run.duration_ms, 3),
        }
        return header, blobs


def _move_into(procs_file: str, pids: list[int]) -> None:
    """Move processes ``pids`` into the cgroup of ``procs_file``; raises OSError."""
    for pid in pids:
        with open(procs_file, "w") as procs:
            procs.write(str(pid))


def _client_gone(connection: socket.socket) -> bool:
    """Whether the client closed its end: the connection reads as end-of-file (the request
    frame was already read, so nothing else should be waiting on it). Never waits."""
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLRDHUP)
    if not poller.poll(0):
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _has_exited(child: IdleChild) -> bool:
    readable, _, _ = select.select([child.pidfd], [], [], 0)
    return bool(readable)


def _reply(connection: socket.socket, header: dict[str, Any], blobs: list[bytes]) -> None:
    try:
        send_frame(connection, header, blobs)
    except OSError as exc:
        _log(f"could not answer the client: {exc}")


def _log(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr, flush=True)

"""A slot's template (zygote): a warm process that forks job children and never sees a job.

Each slot has one template per runtime. The supervisor starts it before reading any request:
the ``torch`` template is forked from the supervisor, which inherited the server's warm torch;
the ``numpy`` template is a fresh interpreter (``python -m sandbox.template``) that imports
numpy only. A template receives nothing but its settings and, per child, the child's ends of
the channel and output pipes (file descriptors it closes unread right after forking), so a
child forked from it can inherit no other job's code, inputs, results or output.

Before serving, it applies the template stage of the isolation layers once (``prepare``: it
checks its cgroups, clears its environment and builds and enters the job root), so each child
only applies the per-job stage. It forks a child on request and returns its pid and a pidfd,
reaps it, and reports its wait status and CPU time. It dies with its supervisor (parent-death
signal, and the end of its control socket), and its children die with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import select
import signal
import socket
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

from sandbox.child import ChildPlan, run_child
from sandbox.contain import prepare, prepare_best_effort
from sandbox.control import recv_message, send_message
from sandbox.layers import libc
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError
from sandbox.runtimes import check_runtime, warm_up

REAP_INTERVAL_MS = 500
EXIT_PARENT_GONE = 75
HUGE_PAGE = 1 << 21
MADV_COLLAPSE = 25


@dataclass(frozen=True)
class TemplateSpec:
    """Everything a template needs to know about its slot, sent once when it starts."""

    runtime: str
    uid: int
    readonly_paths: tuple[str, ...]
    hidden_paths: tuple[str, ...]
    staging_dir: str
    host_network_namespace: str
    workdir_size_mb: int
    max_request_bytes: int
    insecure: bool
    cgroup_procs_files: tuple[str, ...]
    blocked_packages: tuple[str, ...]
    memory_cgroup_active: bool
    max_threads: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (tuples become lists)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TemplateSpec:
        """Rebuild from ``as_dict`` output sent as JSON (lists become tuples again)."""
        fields = {
            name: tuple(value) if type(value) is list else value for name, value in values.items()
        }
        return cls(**fields)


def collapse_into_huge_pages() -> int:
    """Back this process's writable anonymous memory with huge pages (``MADV_COLLAPSE``, Linux
    6.1+); return how many ranges were collapsed.

    A template is forked for every job, and fork copies one page-table entry per 4 KiB page
    (and the child's exit frees them): with its heap in 2 MiB pages a torch template forks
    in about half the time. The price is memory: these pages stop being shared with the
    server's other processes. Best effort: ranges the kernel refuses are left as they are.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    try:
        with open("/proc/self/maps") as maps:
            lines = maps.readlines()
    except OSError:
        return 0
    for line in lines:
        fields = line.split()
        anonymous = len(fields) < 6 or fields[5] == "[heap]"
        if not anonymous or not fields[1].startswith("rw"):
            continue
        low, high = (int(value, 16) for value in fields[0].split("-"))
        start = (low + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
        end = high & ~(HUGE_PAGE - 1)
        if end > start and libc.madvise(start, end - start, MADV_COLLAPSE) == 0:
            collapsed += 1
    return collapsed


def address_space_bytes() -> int:
    """Current virtual size (VmSize) of this process, the baseline a job starts from."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmSize missing from /proc/self/status")


class Template:
    """The template's state: its spec, its control socket and the children it forked."""

    def __init__(self, spec: TemplateSpec, control: socket.socket) -> None:
        self.spec = spec
        self.control = control
        self.children: dict[int, int] = {}  # pid -> pidfd
        self.baseline_address_space = address_space_bytes()
        self.setup_error: str | None = None

    def prepare_layers(self) -> None:
        """The template stage of every layer; a failure is what each child will report."""
        config = self._config(-1, -1, -1)
        if self.spec.insecure:
            prepare_best_effort(config)
            return
        try:
            prepare(config)
        except LayerError as exc:
            self.setup_error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported by every job as a sandbox error
            self.setup_error = f"unexpected {type(exc).__name__} while isolating the slot: {exc}"
        if self.setup_error:
            print(f"sandbox: {self.spec.runtime} template: {self.setup_error}", file=sys.stderr)

    def _config(self, channel_fd: int, stdout_fd: int, stderr_fd: int) -> ContainConfig:
        spec = self.spec
        return ContainConfig(
            uid=spec.uid,
            gid=spec.uid,
            channel_fd=channel_fd,
            stdout_fd=stdout_fd,
            stderr_fd=stderr_fd,
            readonly_paths=spec.readonly_paths,
            hidden_paths=spec.hidden_paths,
            staging_dir=spec.staging_dir,
            host_network_namespace=spec.host_network_namespace,
            workdir_size_mb=spec.workdir_size_mb,
            cgroup_procs_files=spec.cgroup_procs_files,
            blocked_packages=spec.blocked_packages,
        )

    def _plan(self, channel_fd: int, stdout_fd: int, stderr_fd: int) -> ChildPlan:
        spec = self.spec
        return ChildPlan(
            config=self._config(channel_fd, stdout_fd, stderr_fd),
            max_request_bytes=spec.max_request_bytes,
            memory_cgroup_active=spec.memory_cgroup_active,
            baseline_address_space_bytes=self.baseline_address_space,
            insecure=spec.insecure,
            parent_pid=os.getpid(),
            max_threads=spec.max_threads,
            setup_error=self.setup_error,
        )

    def spawn(self, fds: list[int]) -> None:
        """Fork a child for the channel, stdout and stderr in ``fds``; report pid and pidfd."""
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            raise RuntimeError(f"a spawn request must carry 3 descriptors, got {len(fds)}")
        plan = self._plan(*fds)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                self.control.close()
                for pidfd in self.children.values():
                    os.close(pidfd)
                run_child(plan)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        self.children[pid] = pidfd
        send_message(self.control, {"kind": "spawned", "pid": pid}, [pidfd])

    def reap(self) -> None:
        """Reap every ended process; report the ones this template forked (strays are dropped)."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            pidfd = self.children.pop(pid, None)
            if pidfd is None:
                continue  # a process the job started, re-parented here (child subreaper)
            os.close(pidfd)
            cpu_time_s = usage.ru_utime + usage.ru_stime
            report = {"kind": "exited", "pid": pid, "status": status, "cpu_time_s": cpu_time_s}
            send_message(self.control, report)

    def serve(self) -> NoReturn:
        """Answer spawn requests until the supervisor closes the control socket."""
        while True:
            poller = select.poll()
            poller.register(self.control, select.POLLIN)
            for pidfd in self.children.values():
                poller.register(pidfd, select.POLLIN)
            events = poller.poll(REAP_INTERVAL_MS)
            if any(fd == self.control.fileno() for fd, _ in events):
                received = recv_message(self.control)
                if received is None:
                    self.shut_down()
                message, fds = received
                if message.get("kind") != "spawn":
                    for fd in fds:
                        os.close(fd)
                    raise RuntimeError(f"unexpected control message {message.get('kind')!r}")
                self.spawn(fds)
            self.reap()

    def shut_down(self) -> NoReturn:
        """The supervisor is gone: kill the children (they would die with us anyway) and exit."""
        for pidfd in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        os._exit(0)


def _arm_parent_death(parent_pid: int) -> None:
    libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(EXIT_PARENT_GONE)


def _close_other_fds(keep: int) -> None:
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def run_template(control: socket.socket, runtime: str, parent_pid: int) -> NoReturn:
    """Become a template for ``runtime``: settle in the slot, warm up, serve; never returns.

    The first message on ``control`` is the TemplateSpec. Errors end the process (logged on
    stderr); the supervisor sees its control socket close and restarts the slot.
    """
    try:
        _arm_parent_death(parent_pid)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _close_other_fds(control.fileno())
        received = recv_message(control)
        if received is None:
            os._exit(0)
        message, fds = received
        for fd in fds:
            os.close(fd)
        spec = TemplateSpec.from_dict(message["spec"])
        if spec.runtime != check_runtime(runtime):
            raise RuntimeError(f"a {runtime} template got the settings of a {spec.runtime} one")
        libc.prctl(libc.PR_SET_CHILD_SUBREAPER, 1)
        warm_up(runtime)
        template = Template(spec, control)
        # Objects that exist now are never scanned by the GC again, so forked children do not
        # copy the pages holding them just to update GC bookkeeping.
        gc.collect()
        gc.freeze()
        collapse_into_huge_pages()  # reads /proc/self/maps: before the job root is entered
        template.prepare_layers()
        template.serve()
    except BaseException as exc:  # noqa: BLE001 - report, then let the supervisor notice
        print(
            f"sandbox: {runtime} template {os.getpid()} failed: {type(exc).__name__}: {exc}",
            file=sys.stderr,
            flush=True,
        )
    finally:
        os._exit(1)


def main(argv: list[str]) -> NoReturn:
    """``python -m sandbox.template RUNTIME CONTROL_FD PARENT_PID`` (started by a supervisor)."""
    runtime, control_fd, parent_pid = argv
    control = socket.socket(fileno=int(control_fd))
    os.set_inheritable(control.fileno(), False)
    run_template(control, runtime, int(parent_pid))


if __name__ == "__main__":
    main(sys.argv[1:])

"""The long-lived sandbox server: warm torch once, then one supervisor process per slot.

The server never reads a request itself; each supervisor starts its slot's templates (the
processes job children are forked from) before it reads any.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import time
import traceback
from typing import Any

from sandbox.cpu_limit import cpu_share
from sandbox.doctor import run_probe
from sandbox.layers.namespaces import current_network_namespace
from sandbox.runtime_paths import RuntimeMounts, project_root, runtime_mounts
from sandbox.runtimes import RUNTIMES, blocked_package_dirs, hidden_package_dirs, warm_up
from sandbox.server_config import ServerConfig, interactive_socket_path
from sandbox.supervisor import SlotSupervisor
from sandbox.template_link import TemplateGone
from sandbox.uid_pool import BLOCK_SIZE, DEFAULT_FIRST_UID, MAX_SLOTS, lease_uids, staging_dir

INSECURE_ENV = "SANDBOX_ALLOW_INSECURE"
RESPAWN_BACKOFF_S = 1.0
PARENT_CHECK_INTERVAL_S = 0.5
EXIT_INSECURE_REFUSED = 3


MALLOC_TUNABLE = "glibc.malloc.hugetlb=1"


def reexec_with_huge_page_malloc(argv: list[str]) -> None:
    """Restart this process once with glibc's malloc on transparent huge pages.

    glibc reads GLIBC_TUNABLES only at start-up. With huge pages the warm server has far
    fewer page-table entries, which halves the cost of forking a child and of its exit.
    """
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if MALLOC_TUNABLE in tunables.split(":"):
        return
    environment = dict(os.environ)
    environment["GLIBC_TUNABLES"] = f"{tunables}:{MALLOC_TUNABLE}" if tunables else MALLOC_TUNABLE
    os.execve(sys.executable, [sys.executable, "-m", "sandbox", *argv], environment)


class _Shutdown(Exception):
    """Raised by the signal handler to leave the master loop."""


def warm_up_torch() -> None:
    """Import torch/numpy and run a LayerNorm forward/backward once, so every slot's torch
    template (forked from a supervisor forked from here) starts warm and shares these pages."""
    warm_up("torch")
    # Objects that exist now are never scanned by the GC again, so forked children do not
    # copy the pages holding them just to update GC bookkeeping.
    gc.collect()
    gc.freeze()


def mounts_by_runtime() -> dict[str, RuntimeMounts]:
    """What each runtime's jobs see: the runtime paths, without the project (nor, for numpy,
    the torch, sympy and mpmath packages)."""
    return {
        runtime: runtime_mounts([project_root(), *hidden_package_dirs(runtime)])
        for runtime in RUNTIMES
    }


def insecure_allowed() -> bool:
    return os.environ.get(INSECURE_ENV, "") == "1"


def check_isolation(probe_uid: int, workers: int | None = None) -> tuple[bool, dict[str, Any]]:
    """Probe the layers; return (may start, report). Insecure needs SANDBOX_ALLOW_INSECURE=1."""
    report = run_probe(probe_uid, workers=workers)
    if report["secure"]:
        return True, report
    causes = "".join(f"\n  {problem}" for problem in report["problems"])
    if insecure_allowed() and not report["jobs_can_run"]:
        _log(
            f"refusing to start, even with {INSECURE_ENV}=1: no job could run here (failed "
            f"checks {report['failed_checks']}). {report['advice']}.{causes}"
        )
        return False, report
    if insecure_allowed():
        _log(
            "WARNING: STARTING INSECURE. Missing layers "
            f"{report['missing_mandatory_layers']}, failed checks {report['failed_checks']}. "
            f"Untrusted code is NOT isolated. Never run like this in production.{causes}"
        )
        return True, report
    _log(
        "refusing to start: isolation layers missing "
        f"{report['missing_mandatory_layers']}, failed checks {report['failed_checks']}. "
        f"{report['advice']}. Run `python -m sandbox doctor` for details.{causes}"
    )
    return False, report


def bind_listener(socket_path: str) -> socket.socket:
    """Listen on ``socket_path`` (replacing a stale socket file), writable by local clients."""
    if os.path.exists(socket_path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(socket_path)
        except OSError:
            os.unlink(socket_path)
        else:
            probe.close()
            raise SystemExit(f"sandbox: another server is already listening on {socket_path}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    os.chmod(socket_path, 0o666)
    listener.listen(128)
    return listener


def serve(
    socket_path: str,
    workers: int,
    first_uid: int = DEFAULT_FIRST_UID,
    parent_pid: int | None = None,
    interactive_workers: int = 0,
) -> int:
    """Run the server until SIGTERM/SIGINT (or until ``parent_pid`` exits); return the status.

    ``interactive_workers`` more slots serve the interactive lane on
    ``interactive_socket_path(socket_path)`` (none when 0)."""
    if not 0 < workers <= MAX_SLOTS or not 0 <= interactive_workers <= MAX_SLOTS - workers:
        raise SystemExit(
            f"sandbox: --workers must be at least 1 and --workers plus --interactive-workers "
            f"at most {MAX_SLOTS}"
        )
    lease = lease_uids(first_uid)
    try:
        may_start, report = check_isolation(lease.base + BLOCK_SIZE - 1, workers)
        if not may_start:
            return EXIT_INSECURE_REFUSED
        warm_up_torch()
        config = ServerConfig(
            mounts=mounts_by_runtime(),
            staging_dir=staging_dir(),
            host_network_namespace=current_network_namespace(),
            uid_base=lease.base,
            workers=workers,
            interactive_workers=interactive_workers,
            insecure=not report["secure"],
            cpu_share_cores=cpu_share(workers),
            blocked_packages={runtime: blocked_package_dirs(runtime) for runtime in RUNTIMES},
        )
        _run_slots(socket_path, config, parent_pid)
    finally:
        lease.release()
    return 0


def _run_slots(socket_path: str, config: ServerConfig, parent_pid: int | None) -> None:
    """Start one supervisor per slot, restart any that dies, stop all on SIGTERM/SIGINT."""
    listener = bind_listener(socket_path)
    _log(
        f"listening on {socket_path} with {config.workers} worker(s) as uids from {config.uid_base}"
    )
    sockets = [(socket_path, listener)]
    listeners = {slot: listener for slot in range(config.workers)}
    if config.interactive_workers:
        lane_path = interactive_socket_path(socket_path)
        lane = bind_listener(lane_path)
        sockets.append((lane_path, lane))
        first = config.workers
        listeners.update({slot: lane for slot in range(first, first + config.interactive_workers)})
        _log(f"interactive lane on {lane_path} with {config.interactive_workers} worker(s)")
    slots: dict[int, int] = {}

    def stop(signum: int, frame: object) -> None:
        raise _Shutdown

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for slot, slot_listener in listeners.items():
            slots[_start_slot(slot, slot_listener, config)] = slot
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                if parent_pid is not None and os.getppid() != parent_pid:
                    _log(f"parent process {parent_pid} is gone")
                    break
                time.sleep(PARENT_CHECK_INTERVAL_S)
                continue
            slot = slots.pop(pid, None)
            if slot is None:
                continue
            _log(f"slot {slot} supervisor ended (wait status {status}); restarting it")
            time.sleep(RESPAWN_BACKOFF_S)
            slots[_start_slot(slot, listeners[slot], config)] = slot
    except _Shutdown:
        _log("shutting down")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for pid in slots:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in slots:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        for path, bound in sockets:
            bound.close()
            if os.path.exists(path):
                os.unlink(path)


def _start_slot(slot: int, listener: socket.socket, config: ServerConfig) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    master_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            SlotSupervisor(slot, listener, config, master_pid).serve_forever()
        except TemplateGone as exc:
            _log(f"slot {slot}: {exc}; the slot restarts from a fresh supervisor")
        except BaseException as exc:  # noqa: BLE001 - report, then let the master respawn
            details = "".join(traceback.format_exception(exc))
            _log(f"slot {slot} supervisor crashed: {type(exc).__name__}: {exc}\n{details}")
        finally:
            os._exit(1)
    return pid


def _log(message: str) -> None:
    print(f"sandbox: {message}", file=sys.stderr, flush=True)

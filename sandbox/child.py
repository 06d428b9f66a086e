"""The job child: contain itself, report ready, wait for one job, run it, report, exit."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

from sandbox.contain import LAYERS, contain, contain_best_effort
from sandbox.framing import FrameError, read_frame_fd, write_frame_fd
from sandbox.layers import fds, libc
from sandbox.layers.config import CHANNEL_FD, ContainConfig
from sandbox.layers.errors import LayerError
from sandbox.layers.rlimits import apply_job_limits
from sandbox.limits import Limits
from sandbox.runner import run_job
from sandbox.runtimes import reseed_global_generators

EXIT_SETUP_FAILED = 70
MB = 1024 * 1024


@dataclass(frozen=True)
class ChildPlan:
    """What the template decided for its next child before forking it.

    ``parent_pid`` is the template's pid: a child whose parent is already gone when it arms
    its parent-death signal exits at once. ``max_threads`` caps processes and threads when no
    CPU cgroup quota applies (None when one does). ``setup_error`` is why the template could
    not prepare the layers; the child then only reports it.
    """

    config: ContainConfig
    max_request_bytes: int
    memory_cgroup_active: bool
    baseline_address_space_bytes: int
    insecure: bool
    parent_pid: int
    max_threads: int | None = None
    setup_error: str | None = None


def _send(header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
    write_frame_fd(CHANNEL_FD, header, blobs or [])


def _setup_failed(message: str, channel_fd: int = CHANNEL_FD) -> NoReturn:
    """Report why the job cannot start on the channel (still at ``channel_fd`` if the fds
    layer has not moved it yet), then exit."""
    try:
        write_frame_fd(channel_fd, {"kind": "setup_failed", "message": message})
    finally:
        os._exit(EXIT_SETUP_FAILED)


def _channel_fd(failure: LayerError, config: ContainConfig) -> int:
    """Where the channel is after ``failure``: fd 3 once the fds layer has applied."""
    order = [layer.NAME for layer in LAYERS]
    applied = order.index(failure.layer) > order.index(fds.NAME) if failure.layer in order else True
    return CHANNEL_FD if applied else config.channel_fd


def _reset_signals() -> None:
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    # Writing past RLIMIT_FSIZE then fails with EFBIG (an OSError the job sees) instead of a kill.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _line_buffer_stdio() -> None:
    """Print output reaches the pipes line by line, so a job killed later still shows it."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(line_buffering=True)


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(BaseException):  # the job may have replaced or closed them
            stream.flush()


def _contain(plan: ChildPlan) -> None:
    """All layers, failing closed; in insecure mode whatever works (the server warned loudly)."""
    if plan.insecure:
        contain_best_effort(plan.config)
    else:
        contain(plan.config)


def run_child(plan: ChildPlan) -> NoReturn:
    """Entry point of a freshly forked child; never returns."""
    if plan.setup_error is not None:
        _setup_failed(plan.setup_error, plan.config.channel_fd)
    try:
        os.setsid()
        _reset_signals()
        reseed_global_generators()
        _contain(plan)
        _line_buffer_stdio()
        # Armed after the uid change (which clears it); a parent already gone is caught here.
        libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != plan.parent_pid:
            os._exit(EXIT_SETUP_FAILED)
    except LayerError as exc:
        _setup_failed(str(exc), _channel_fd(exc, plan.config))
    except BaseException as exc:  # noqa: BLE001 - any surprise here is the sandbox's fault
        _setup_failed(f"unexpected {type(exc).__name__} while isolating the job: {exc}")
    try:
        _send({"kind": "ready"})
        request, blobs = read_frame_fd(CHANNEL_FD, plan.max_request_bytes)
        limits = Limits.from_dict(request["limits"])
        address_space = None
        if not plan.memory_cgroup_active:
            address_space = plan.baseline_address_space_bytes + limits.memory_mb * MB
        apply_job_limits(limits, address_space, plan.max_threads)
    except (LayerError, FrameError, ValueError, KeyError, OSError) as exc:
        _setup_failed(f"could not start the job: {exc}")
    _send({"kind": "started"})
    header, out_blobs = run_job(request, blobs, limits.max_return_bytes)
    _flush_stdio()
    _send(header, out_blobs)
    os._exit(0)

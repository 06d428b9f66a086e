"""Layer: kernel resource limits; no core dumps at setup, the job's own limits when it starts."""

from __future__ import annotations

import resource

from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError
from sandbox.limits import Limits

NAME = "rlimits"

MB = 1024 * 1024


def _set(name: str, resource_id: int, soft: int, hard: int | None = None) -> None:
    try:
        resource.setrlimit(resource_id, (soft, soft if hard is None else hard))
    except (OSError, ValueError) as exc:
        raise LayerError(NAME, f"setrlimit({name})", str(exc)) from None


def prepare(config: ContainConfig) -> None:
    """No core dumps of the template; raises LayerError."""
    _set("RLIMIT_CORE", resource.RLIMIT_CORE, 0)


def apply(config: ContainConfig) -> None:
    """No core dumps of the child; the job's own limits come with the job. Raises LayerError."""
    _set("RLIMIT_CORE", resource.RLIMIT_CORE, 0)


def apply_job_limits(
    limits: Limits, address_space_bytes: int | None, max_threads: int | None = None
) -> None:
    """Per-job limits, raising LayerError. ``address_space_bytes`` is set only when no memory
    cgroup is in use; ``max_threads`` (processes and threads together) only when no CPU cgroup
    quota holds the job to its share of the cores."""
    cpu = limits.cpu_time_rlimit_s
    # The soft limit sends SIGXCPU; the hard limit one second later is SIGKILL.
    _set("RLIMIT_CPU", resource.RLIMIT_CPU, cpu, cpu + 1)
    processes = limits.max_processes
    if max_threads is not None:
        processes = min(processes, max_threads)
    _set("RLIMIT_NPROC", resource.RLIMIT_NPROC, processes)
    _set("RLIMIT_FSIZE", resource.RLIMIT_FSIZE, limits.max_file_size_mb * MB)
    _set("RLIMIT_NOFILE", resource.RLIMIT_NOFILE, limits.max_open_files)
    _set("RLIMIT_CORE", resource.RLIMIT_CORE, 0)
    if address_space_bytes is not None:
        _set("RLIMIT_AS", resource.RLIMIT_AS, address_space_bytes)

"""Everything the isolation layers need to know about one slot, fixed before the child forks."""

from __future__ import annotations

from dataclasses import dataclass

CHANNEL_FD = 3
WORKDIR = "/job"


@dataclass(frozen=True)
class ContainConfig:
    """Per-slot isolation settings; all paths are host paths resolved by the trusted server."""

    uid: int
    gid: int
    channel_fd: int
    stdout_fd: int
    stderr_fd: int
    readonly_paths: tuple[str, ...]
    staging_dir: str
    host_network_namespace: str
    workdir_size_mb: int = 64
    hidden_paths: tuple[str, ...] = ()
    cgroup_procs_files: tuple[str, ...] = ()
    # Hidden directories that are Python packages: each gets an __init__.py that raises
    # ModuleNotFoundError, so import fails instead of finding an empty namespace package.
    blocked_packages: tuple[str, ...] = ()
    hostname: str = "sandbox"

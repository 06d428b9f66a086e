"""Settings of one sandbox server process (trusted side)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sandbox.cpu_limit import available_cores
from sandbox.runtime_paths import RuntimeMounts

DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024
# Slots kept for jobs a person waits on (the interactive lane, on SOCKET.interactive).
DEFAULT_INTERACTIVE_WORKERS = 1
INTERACTIVE_SOCKET_SUFFIX = ".interactive"


def interactive_socket_path(socket_path: str) -> str:
    """Where a server on ``socket_path`` serves its interactive lane."""
    return socket_path + INTERACTIVE_SOCKET_SUFFIX


def default_workers() -> int:
    """One slot per available core."""
    return available_cores()


@dataclass(frozen=True)
class ServerConfig:
    """How many slots and their uids (``uid_pool.slot_uid``), what each runtime's jobs may see
    (``mounts``), each job's share of the cores, insecure mode or not.

    Slots 0 .. workers-1 take jobs from the main socket; the next ``interactive_workers``
    slots only from the interactive lane's socket, so jobs a person waits on never queue
    behind a burst of marking jobs."""

    mounts: Mapping[str, RuntimeMounts]
    staging_dir: str
    host_network_namespace: str
    uid_base: int
    workers: int = 1
    interactive_workers: int = 0
    workdir_size_mb: int = 64
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    insecure: bool = False
    cpu_share_cores: float = 1.0
    # Per runtime, the hidden directories that are packages import must fail on.
    blocked_packages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

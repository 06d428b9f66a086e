"""Settings of one sandbox server process (trusted side)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) or 1


@dataclass(frozen=True)
class ServerConfig:
    """How many slots, their uids (``uid_base + slot``), what jobs may see, insecure mode or not."""

    readonly_paths: tuple[str, ...]
    staging_dir: str
    host_network_namespace: str
    uid_base: int
    workers: int = 1
    workdir_size_mb: int = 64
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    insecure: bool = False
    hidden_paths: tuple[str, ...] = ()

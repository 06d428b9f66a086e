"""Settings of one sandbox server process (trusted side)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_UID_BASE = 62000
DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) or 1


@dataclass(frozen=True)
class ServerConfig:
    """How many slots, which uids, what the jobs may see, and whether insecure mode is on."""

    readonly_paths: tuple[str, ...]
    workers: int = 1
    uid_base: int = DEFAULT_UID_BASE
    workdir_size_mb: int = 64
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    insecure: bool = False

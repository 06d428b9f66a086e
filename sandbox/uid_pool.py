"""Lease a block of slot uids no other sandbox server on this host is using.

Every server kills a finished job's processes by killing everything its slot uid owns, so two
servers must never share a uid. A server holds an exclusive flock on one lock file per block
for as long as it runs; the kernel drops the lock when the server dies.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from dataclasses import dataclass

from sandbox.runtimes import RUNTIMES

DEFAULT_FIRST_UID = 62000
BLOCK_SIZE = 256
MAX_BLOCKS = 64
# Each slot runs each runtime's jobs as its own uid, so killing one runtime's finished job by
# uid spares the other runtime's idle child. The block's last uid is the doctor probe's.
MAX_SLOTS = (BLOCK_SIZE - 1) // len(RUNTIMES)
STATE_DIRS = (
    "/run/tensorgrade-sandbox",
    os.path.join(tempfile.gettempdir(), "tensorgrade-sandbox"),
)


class NoFreeUids(RuntimeError):
    """Every uid block is taken (or no lock directory is writable)."""


@dataclass(frozen=True)
class UidLease:
    """Uids ``base`` .. ``base + BLOCK_SIZE - 1``, reserved while ``lock_fd`` stays open."""

    base: int
    lock_fd: int

    def release(self) -> None:
        os.close(self.lock_fd)


def state_dir() -> str:
    """The root-owned directory for uid locks and the mount staging point."""
    for directory in STATE_DIRS:
        try:
            os.makedirs(directory, mode=0o755, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK):
            return directory
    raise NoFreeUids(f"none of {STATE_DIRS} is writable; the server cannot reserve uids")


def lease_uids(first_uid: int = DEFAULT_FIRST_UID) -> UidLease:
    """Reserve the first free block of BLOCK_SIZE uids at or above ``first_uid``."""
    directory = state_dir()
    for block in range(MAX_BLOCKS):
        base = first_uid + block * BLOCK_SIZE
        fd = os.open(os.path.join(directory, f"uids-{base}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UidLease(base, fd)
    raise NoFreeUids(
        f"all {MAX_BLOCKS} uid blocks from {first_uid} are in use by other sandbox servers"
    )


def slot_uid(base: int, slot: int, runtime: str) -> int:
    """The uid that slot ``slot`` runs ``runtime`` jobs as (``base`` from a lease).

    Raises ValueError for a slot beyond MAX_SLOTS or an unknown runtime.
    """
    if not 0 <= slot < MAX_SLOTS:
        raise ValueError(f"slot {slot} outside 0..{MAX_SLOTS - 1}")
    return base + RUNTIMES.index(runtime) * MAX_SLOTS + slot


def staging_dir() -> str:
    """An empty directory where each child mounts its new root before pivoting into it."""
    path = os.path.join(state_dir(), "root")
    os.makedirs(path, mode=0o755, exist_ok=True)
    return path

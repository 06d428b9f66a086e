"""``/proc/self`` for the layers, also inside the job root (which has no /proc).

A template opens the host's /proc once (``keep``) before it enters the job root; the layers
then reach ``/proc/self/...`` through that descriptor ("self" is whoever asks), and each
child inherits it until the fds layer closes it (``forget``).
"""

from __future__ import annotations

import os

_proc_fd: int | None = None


def keep() -> None:
    """Hold a descriptor of the host's /proc in this process (and its future children)."""
    global _proc_fd
    if _proc_fd is None:
        _proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def forget() -> None:
    """Stop using the descriptor (the fds layer has closed it)."""
    global _proc_fd
    _proc_fd = None


def open_self(name: str, flags: int) -> int:
    """os.open of ``/proc/self/<name>``; raises OSError."""
    if _proc_fd is None:
        return os.open(f"/proc/self/{name}", flags)
    return os.open(f"self/{name}", flags, dir_fd=_proc_fd)


def readlink_self(name: str) -> str:
    """os.readlink of ``/proc/self/<name>``; raises OSError."""
    if _proc_fd is None:
        return os.readlink(f"/proc/self/{name}")
    return os.readlink(f"self/{name}", dir_fd=_proc_fd)

"""Layer: the job sees stdin=/dev/null, stdout/stderr pipes, the channel on fd 3, nothing else."""

from __future__ import annotations

import os

from sandbox.layers import procfs
from sandbox.layers.config import CHANNEL_FD, ContainConfig
from sandbox.layers.errors import LayerError

NAME = "fds"


def prepare(config: ContainConfig) -> None:
    """Nothing to do once per template: each child gets its own descriptors."""


def apply(config: ContainConfig) -> None:
    try:
        devnull = os.open("/dev/null", os.O_RDONLY)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "open(/dev/null)", exc) from None
    # Move the sources above the targets first so no dup2 overwrites a source still needed.
    try:
        high = 100 + max(config.channel_fd, config.stdout_fd, config.stderr_fd, devnull)
        sources = []
        for offset, fd in enumerate(
            (devnull, config.stdout_fd, config.stderr_fd, config.channel_fd)
        ):
            sources.append(os.dup2(fd, high + offset))
        for target, source in zip((0, 1, 2, CHANNEL_FD), sources, strict=True):
            os.dup2(source, target, inheritable=False)
        os.set_inheritable(0, True)
        os.set_inheritable(1, True)
        os.set_inheritable(2, True)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "dup2", exc) from None
    os.closerange(CHANNEL_FD + 1, os.sysconf("SC_OPEN_MAX"))
    procfs.forget()

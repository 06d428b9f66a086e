"""Layer: private network (no interfaces up), mount, IPC and UTS namespaces."""

from __future__ import annotations

import socket

from sandbox.layers import libc
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "namespaces"

FLAGS = libc.CLONE_NEWNET | libc.CLONE_NEWNS | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS


def apply(config: ContainConfig) -> None:
    try:
        libc.unshare(FLAGS)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "unshare(NEWNET|NEWNS|NEWIPC|NEWUTS)", exc) from None
    try:
        socket.sethostname(config.hostname)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "sethostname", exc) from None

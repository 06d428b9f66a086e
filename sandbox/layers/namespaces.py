"""Layer: private network (no interfaces up), mount, IPC and UTS namespaces.

A supervisor enters an empty network namespace once for its slot; its children are then
already outside the host's network and skip creating one of their own (which costs ~3 ms).
Nothing can carry over between jobs through it: jobs cannot create sockets at all.
"""

from __future__ import annotations

import os
import socket

from sandbox.layers import libc
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "namespaces"

FLAGS = libc.CLONE_NEWNS | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS


def current_network_namespace() -> str:
    """Identity of this process's network namespace, e.g. 'net:[4026531833]'."""
    return os.readlink("/proc/self/ns/net")


def apply(config: ContainConfig) -> None:
    try:
        in_host_network = current_network_namespace() == config.host_network_namespace
        flags = FLAGS | (libc.CLONE_NEWNET if in_host_network else 0)
        libc.unshare(flags)
        if current_network_namespace() == config.host_network_namespace:
            raise LayerError(NAME, "unshare(NEWNET)", "still in the host network namespace")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "unshare(NEWNET|NEWNS|NEWIPC|NEWUTS)", exc) from None
    try:
        socket.sethostname(config.hostname)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "sethostname", exc) from None

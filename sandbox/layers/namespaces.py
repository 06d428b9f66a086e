"""Layer: private network (no interfaces up), mount, IPC and UTS namespaces.

A supervisor enters an empty network namespace once for its slot; its templates and their
children are then already outside the host's network (``prepare`` checks it, and makes one
for a process forked elsewhere, like the doctor's probe; a fresh one per job would cost
~3 ms). Nothing can carry over between jobs through it: jobs cannot create sockets at all.
``prepare`` also gives the template a mount namespace of its own for the job root; each
child then copies that small namespace (``apply``) with fresh IPC and UTS namespaces.
"""

from __future__ import annotations

import socket

from sandbox.layers import libc, procfs
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "namespaces"

FLAGS = libc.CLONE_NEWNS | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS


def current_network_namespace() -> str:
    """Identity of this process's network namespace, e.g. 'net:[4026531833]'."""
    return procfs.readlink_self("ns/net")


def prepare(config: ContainConfig) -> None:
    """Leave the host's network (unless the supervisor did) and take a mount namespace for the
    job root; raises LayerError."""
    try:
        in_host_network = current_network_namespace() == config.host_network_namespace
        libc.unshare(libc.CLONE_NEWNS | (libc.CLONE_NEWNET if in_host_network else 0))
        if current_network_namespace() == config.host_network_namespace:
            raise LayerError(NAME, "unshare(NEWNET)", "still in the host network namespace")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "unshare(NEWNET|NEWNS)", exc) from None


def apply(config: ContainConfig) -> None:
    """New mount (a copy of the template's), IPC and UTS namespaces; raises LayerError."""
    try:
        libc.unshare(FLAGS)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "unshare(NEWNS|NEWIPC|NEWUTS)", exc) from None
    try:
        socket.sethostname(config.hostname)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "sethostname", exc) from None

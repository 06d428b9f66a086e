"""Layer: drop to the slot's unprivileged uid/gid, no supplementary groups, no new privileges."""

from __future__ import annotations

import os

from sandbox.layers import libc
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "credentials"


def prepare(config: ContainConfig) -> None:
    """Nothing to do once per template: the template itself stays root."""


def apply(config: ContainConfig) -> None:
    steps = (
        ("setgroups", lambda: os.setgroups([])),
        ("setresgid", lambda: os.setresgid(config.gid, config.gid, config.gid)),
        ("setresuid", lambda: os.setresuid(config.uid, config.uid, config.uid)),
        ("prctl(PR_SET_NO_NEW_PRIVS)", lambda: libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1)),
        ("prctl(PR_SET_DUMPABLE)", lambda: libc.prctl(libc.PR_SET_DUMPABLE, 0)),
    )
    for syscall, step in steps:
        try:
            step()
        except OSError as exc:
            raise LayerError.from_os_error(NAME, syscall, exc) from None
    if os.getresuid() != (config.uid,) * 3 or os.getresgid() != (config.gid,) * 3:
        raise LayerError(NAME, "getresuid", "uid/gid did not change")
    if libc.prctl(libc.PR_GET_NO_NEW_PRIVS) != 1:
        raise LayerError(NAME, "prctl(PR_GET_NO_NEW_PRIVS)", "no_new_privs is not set")

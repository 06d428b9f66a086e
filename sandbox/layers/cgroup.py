"""Layer: the child sits in its slot's cgroups (memory, CPU) and is the OOM killer's first choice.

A slot's templates are placed in its groups by the supervisor, so the children they fork
start inside (moving a process between cgroups costs milliseconds); ``prepare`` checks that
(joining, for a process such as the doctor's probe that was not placed). ``apply`` raises the
child's OOM score to the maximum.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sandbox.layers import procfs
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "cgroup"
OOM_SCORE_ADJ_FIRST_VICTIM = b"1000"


def is_member(procs_file: str) -> bool:
    """True if the calling process is listed in ``procs_file`` (a group's ``cgroup.procs``)."""
    with open(procs_file) as procs:
        return str(os.getpid()) in procs.read().split()


def join(procs_files: Iterable[str]) -> None:
    """Move the calling process into every group not already holding it.

    Raises OSError if a group cannot be written, RuntimeError if the move did not take.
    """
    for procs_file in procs_files:
        if is_member(procs_file):
            continue
        with open(procs_file, "w") as procs:
            procs.write("0")
        if not is_member(procs_file):
            raise RuntimeError(f"not inside {os.path.dirname(procs_file)} after joining it")


def prepare(config: ContainConfig) -> None:
    """Once per template: be inside every group of the slot; keep /proc for the children."""
    for procs_file in config.cgroup_procs_files:
        try:
            join([procs_file])
        except OSError as exc:
            raise LayerError.from_os_error(NAME, f"write({procs_file})", exc) from None
        except RuntimeError as exc:
            raise LayerError(NAME, f"read({procs_file})", str(exc)) from None
    try:
        procfs.keep()
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "open(/proc)", exc) from None


def apply(config: ContainConfig) -> None:
    """Make the child the OOM killer's first choice; raises LayerError."""
    try:
        score = procfs.open_self("oom_score_adj", os.O_WRONLY)
        try:
            os.write(score, OOM_SCORE_ADJ_FIRST_VICTIM)
        finally:
            os.close(score)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "write(/proc/self/oom_score_adj)", exc) from None

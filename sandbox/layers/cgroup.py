"""Layer: the child sits in its slot's cgroups (memory, CPU) and is the OOM killer's first choice.

A slot's templates join its groups once, so the children they fork start inside (moving a
process between cgroups costs milliseconds); a child forked elsewhere joins here instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "cgroup"
OOM_SCORE_ADJ_FIRST_VICTIM = "1000"


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


def apply(config: ContainConfig) -> None:
    try:
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write(OOM_SCORE_ADJ_FIRST_VICTIM)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "write(/proc/self/oom_score_adj)", exc) from None
    for procs_file in config.cgroup_procs_files:
        try:
            join([procs_file])
        except OSError as exc:
            raise LayerError.from_os_error(NAME, f"write({procs_file})", exc) from None
        except RuntimeError as exc:
            raise LayerError(NAME, f"read({procs_file})", str(exc)) from None

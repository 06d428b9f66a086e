"""Layer: the child sits in its slot's memory cgroup and is the first choice of the OOM killer.

The supervisor joins the slot's group once, so children forked from it start inside (moving
a process between cgroups costs milliseconds); a child forked elsewhere joins here instead.
"""

from __future__ import annotations

import os

from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "cgroup"
OOM_SCORE_ADJ_FIRST_VICTIM = "1000"


def _is_member(procs_file: str) -> bool:
    group = "/" + "/".join(procs_file.split("/")[-3:-1])
    with open("/proc/self/cgroup") as memberships:
        return any(line.rstrip("\n").endswith(group) for line in memberships)


def apply(config: ContainConfig) -> None:
    try:
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write(OOM_SCORE_ADJ_FIRST_VICTIM)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "write(/proc/self/oom_score_adj)", exc) from None
    procs_file = config.cgroup_procs_file
    if procs_file is None:
        return
    try:
        if not _is_member(procs_file):
            with open(procs_file, "w") as procs:
                procs.write("0")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, f"write({procs_file})", exc) from None
    if not _is_member(procs_file):
        raise LayerError(
            NAME, "read(/proc/self/cgroup)", f"not inside {os.path.dirname(procs_file)}"
        )

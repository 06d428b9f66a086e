"""Layer: move the child into its slot's memory cgroup, so the job's memory is capped there."""

from __future__ import annotations

from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

NAME = "cgroup"


def apply(config: ContainConfig) -> None:
    if config.cgroup_procs_file is None:
        return
    try:
        with open(config.cgroup_procs_file, "w") as procs:
            procs.write("0")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, f"write({config.cgroup_procs_file})", exc) from None

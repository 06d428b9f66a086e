"""A job's share of the cores: a cgroup CPU quota on its slot, or fewer threads where none exists.

The share is the machine's cores divided by the slots, never below ``MIN_SHARE_CORES``. With
a writable cpu controller (cgroup v1 ``cpu.cfs_quota_us``, or v2 ``cpu.max`` in the same
directory as the slot's memory group) every process of the slot together gets at most that
much CPU time per period. Without one, a job may run only as many processes and threads
(RLIMIT_NPROC) as its share has whole cores, at least one.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from sandbox.memory_cgroup import CGROUP_ROOT, GROUP_NAME, CgroupUnavailable, own_v2_cgroup

PERIOD_US = 50_000
# Below half a core a single-threaded job would crawl even on an idle machine.
MIN_SHARE_CORES = 0.5
V1_CPU_ROOT = CGROUP_ROOT / "cpu"


def available_cores() -> int:
    """Cores this process may run on (its affinity mask), at least 1."""
    return len(os.sched_getaffinity(0)) or 1


def cpu_share(workers: int, cores: int | None = None) -> float:
    """Cores one job may use: ``cores / workers`` (default: available cores), at least
    MIN_SHARE_CORES and at most ``cores``."""
    cores = available_cores() if cores is None else cores
    return round(max(MIN_SHARE_CORES, min(cores, cores / max(workers, 1))), 3)


@dataclass(frozen=True)
class CpuLimit:
    """How the CPU share of one slot is enforced.

    ``procs_file`` is the slot CPU group's ``cgroup.procs`` (None: no cgroup, threads are
    capped instead); ``mechanism`` names the interface used and ``detail`` says what was set
    or why no cgroup could be used.
    """

    share_cores: float
    procs_file: str | None
    mechanism: str
    detail: str

    @property
    def max_threads(self) -> int | None:
        """RLIMIT_NPROC cap for a job when no cgroup quota applies (None when one does)."""
        if self.procs_file is not None:
            return None
        return max(1, math.floor(self.share_cores))

    @property
    def path(self) -> Path | None:
        """The slot's CPU group directory, or None without one."""
        return None if self.procs_file is None else Path(self.procs_file).parent


def _quota_us(share_cores: float) -> int:
    return max(1000, round(share_cores * PERIOD_US))


def _set_v1(uid: int, share_cores: float) -> CpuLimit:
    group = V1_CPU_ROOT / GROUP_NAME / f"uid-{uid}"
    group.mkdir(parents=True, exist_ok=True)
    (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
    (group / "cpu.cfs_quota_us").write_text(str(_quota_us(share_cores)))
    quota = int((group / "cpu.cfs_quota_us").read_text())
    period = int((group / "cpu.cfs_period_us").read_text())
    detail = f"cpu.cfs_quota_us={quota} per cpu.cfs_period_us={period} at {group}"
    return CpuLimit(share_cores, str(group / "cgroup.procs"), "cgroup v1 cpu quota", detail)


def _enable_cpu_controller(group: Path) -> None:
    if "cpu" not in (group / "cgroup.subtree_control").read_text().split():
        (group / "cgroup.subtree_control").write_text("+cpu")


def _set_v2(uid: int, share_cores: float) -> CpuLimit:
    parent = own_v2_cgroup()
    if "cpu" not in (parent / "cgroup.controllers").read_text().split():
        raise CgroupUnavailable(f"cpu controller not delegated to {parent}")
    _enable_cpu_controller(parent)
    base = parent / GROUP_NAME
    base.mkdir(exist_ok=True)
    _enable_cpu_controller(base)
    group = base / f"uid-{uid}"
    group.mkdir(exist_ok=True)
    (group / "cpu.max").write_text(f"{_quota_us(share_cores)} {PERIOD_US}")
    detail = f"cpu.max={(group / 'cpu.max').read_text().strip()} at {group}"
    return CpuLimit(share_cores, str(group / "cgroup.procs"), "cgroup v2 cpu.max", detail)


def set_up_cpu_limit(uid: int, share_cores: float) -> CpuLimit:
    """Create (or reuse) the CPU group of the slot running as ``uid`` with its quota set.

    Never raises for a missing controller: the result then caps threads and says why.
    """
    reasons = []
    try:
        if (V1_CPU_ROOT / "cpu.cfs_quota_us").exists():
            return _set_v1(uid, share_cores)
        reasons.append(f"no cgroup v1 cpu controller at {V1_CPU_ROOT}")
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            return _set_v2(uid, share_cores)
        reasons.append(f"no cgroup v2 hierarchy at {CGROUP_ROOT}")
    except (OSError, ValueError, CgroupUnavailable) as exc:
        reasons.append(f"cannot set a CPU quota: {exc}")
    return without_cgroup(CpuLimit(share_cores, None, "", ""), "; ".join(reasons))


def without_cgroup(limit: CpuLimit, reason: str) -> CpuLimit:
    """The same share enforced by capping threads, because ``reason`` ruled the cgroup out."""
    threads = max(1, math.floor(limit.share_cores))
    detail = (
        f"{reason}; each job may run {threads} process(es)/thread(s) instead "
        "(give the server a writable cpu controller for a real CPU quota)"
    )
    return CpuLimit(limit.share_cores, None, "RLIMIT_NPROC", detail)


def remove_cpu_group(limit: CpuLimit) -> None:
    """Remove an empty slot CPU group made by ``set_up_cpu_limit`` (the doctor's probe)."""
    if limit.path is None:
        return
    for path in (limit.path, limit.path.parent):
        try:
            os.rmdir(path)
        except OSError:
            return


def describe(limit: CpuLimit) -> str:
    """One line for logs: the share and how it is enforced."""
    return f"{limit.share_cores:g} core(s) per job by {limit.mechanism} ({limit.detail})"

"""Per-slot memory cgroup (v1 or v2) used to cap a job's memory and to detect OOM kills."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP_NAME = "tensorgrade-sandbox"


class CgroupUnavailable(RuntimeError):
    """No writable memory cgroup; the message says what was tried."""


@dataclass(frozen=True)
class MemoryCgroup:
    """One slot's memory cgroup; ``version`` is 1 or 2."""

    path: Path
    version: int

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def remove_limit(self) -> None:
        """Lift the limit between jobs, so the templates' work never hits a job's cap."""
        self._write_limit("-1" if self.version == 1 else "max")

    def set_limit_mb(self, memory_mb: int) -> None:
        self._write_limit(str(memory_mb * 1024 * 1024))

    def _write_limit(self, limit: str) -> None:
        if self.version == 1:
            memory = self.path / "memory.limit_in_bytes"
            memsw = self.path / "memory.memsw.limit_in_bytes"
            files = [memory]
            if memsw.exists():
                # memory+swap may never be below memory: raise it first, lower it last.
                raising = limit == "-1" or int(limit) > int(memory.read_text())
                files = [memsw, memory] if raising else [memory, memsw]
            for path in files:
                path.write_text(limit)
        else:
            (self.path / "memory.max").write_text(limit)
            swap = self.path / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")

    def oom_kill_count(self) -> int:
        """How many processes the kernel has OOM-killed in this group so far."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        for line in (self.path / name).read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        if self.version == 1:
            return int((self.path / "memory.failcnt").read_text())
        return 0


def own_v2_cgroup() -> Path:
    """The cgroup v2 directory of the calling process; raises CgroupUnavailable without one."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return CGROUP_ROOT / line[3:].lstrip("/")
    raise CgroupUnavailable("no cgroup v2 entry in /proc/self/cgroup")


def _enable_memory_controller(group: Path) -> None:
    controllers = (group / "cgroup.subtree_control").read_text().split()
    if "memory" not in controllers:
        (group / "cgroup.subtree_control").write_text("+memory")


def _create_v2(uid: int) -> MemoryCgroup:
    parent = own_v2_cgroup()
    if "memory" not in (parent / "cgroup.controllers").read_text().split():
        raise CgroupUnavailable(f"memory controller not delegated to {parent}")
    _enable_memory_controller(parent)
    group = parent / GROUP_NAME
    group.mkdir(exist_ok=True)
    _enable_memory_controller(group)
    slot_path = group / f"uid-{uid}"
    slot_path.mkdir(exist_ok=True)
    return MemoryCgroup(slot_path, 2)


def create_slot_cgroup(uid: int) -> MemoryCgroup:
    """Create (or reuse) the memory cgroup of the slot running as ``uid``.

    Raises CgroupUnavailable with the reason. Named after the uid, which the server leased
    exclusively, so two servers on one host never share a group.
    """
    try:
        v1_root = CGROUP_ROOT / "memory"
        if (v1_root / "memory.limit_in_bytes").exists():
            slot_path = v1_root / GROUP_NAME / f"uid-{uid}"
            slot_path.mkdir(parents=True, exist_ok=True)
            return MemoryCgroup(slot_path, 1)
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            return _create_v2(uid)
    except OSError as exc:
        raise CgroupUnavailable(f"cannot create a memory cgroup: {exc}") from None
    raise CgroupUnavailable(f"no cgroup v1 memory controller or cgroup v2 under {CGROUP_ROOT}")


def remove_slot_cgroup(cgroup: MemoryCgroup) -> None:
    """Remove an empty slot group (and the parent group once it is empty too)."""
    for path in (cgroup.path, cgroup.path.parent):
        try:
            os.rmdir(path)
        except OSError:
            return

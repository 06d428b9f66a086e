"""Which isolation layers work on this machine, found by applying them in a throwaway child."""

from __future__ import annotations

import errno
import json
import os
import socket
from typing import Any

from sandbox.contain import LAYER_NAMES, contain_best_effort
from sandbox.layers.config import CHANNEL_FD, ContainConfig
from sandbox.layers.namespaces import current_network_namespace
from sandbox.memory_cgroup import CgroupUnavailable, create_slot_cgroup, remove_slot_cgroup
from sandbox.runtime_paths import project_root, runtime_readonly_paths
from sandbox.uid_pool import BLOCK_SIZE, lease_uids, staging_dir

MANDATORY_LAYERS = frozenset(LAYER_NAMES) - {"cgroup"}
PROBE_TIMEOUT_S = 30.0


def _expect_denied(action: Any, expected: tuple[int, ...]) -> str | None:
    """Run ``action``; None if it failed with one of ``expected`` errnos, else what happened."""
    try:
        action()
    except OSError as exc:
        if exc.errno in expected:
            return None
        return f"failed differently: {exc}"
    return "was allowed"


def _connect_loopback() -> None:
    with socket.create_connection(("127.0.0.1", 9), timeout=1):
        pass


def _verify(project_dir: str) -> dict[str, str | None]:
    """Attack the contained process the way a job would; None means the attack was stopped."""
    eperm = (errno.EPERM, errno.EACCES)
    return {
        "not_root": None if os.getuid() != 0 else "job still runs as root",
        "network_socket_denied": _expect_denied(_connect_loopback, eperm),
        "shadow_unreadable": _expect_denied(lambda: open("/etc/shadow").close(), (errno.ENOENT,)),
        "proc_absent": _expect_denied(lambda: os.listdir("/proc/1"), (errno.ENOENT,)),
        "project_hidden": (
            "project directory visible" if os.path.exists(f"{project_dir}/sandbox") else None
        ),
        "root_readonly": _expect_denied(lambda: os.mkdir("/probe"), (errno.EROFS, *eperm)),
        "execve_denied": _expect_denied(lambda: os.execv("/bin/true", ["true"]), eperm),
        "workdir_writable": _workdir_writable(),
    }


def _workdir_writable() -> str | None:
    try:
        with open("probe.txt", "w") as probe:
            probe.write("ok")
    except OSError as exc:
        return f"cannot write in the job's working directory: {exc}"
    return None


def _probe_in_child(config: ContainConfig, project_dir: str) -> None:
    layers = contain_best_effort(config)
    report = {"layers": layers, "checks": _verify(project_dir)}
    os.write(CHANNEL_FD, json.dumps(report).encode())


def run_probe(uid: int | None = None) -> dict[str, Any]:
    """Fork a child that applies every layer and attacks itself; return the JSON report.

    ``uid`` must be a uid leased by the caller; without it a uid block is leased for the probe.
    """
    if uid is None:
        lease = lease_uids()
        try:
            return run_probe(lease.base + BLOCK_SIZE - 1)
        finally:
            lease.release()
    try:
        cgroup = create_slot_cgroup(uid)
        cgroup_note = f"cgroup v{cgroup.version} at {cgroup.path}"
    except CgroupUnavailable as exc:
        cgroup, cgroup_note = None, str(exc)
    project_dir = project_root()
    read_fd, write_fd = os.pipe()
    stdout_read, stdout_write = os.pipe()
    config = ContainConfig(
        uid=uid,
        gid=uid,
        channel_fd=write_fd,
        stdout_fd=stdout_write,
        stderr_fd=stdout_write,
        readonly_paths=runtime_readonly_paths([project_dir]),
        staging_dir=staging_dir(),
        host_network_namespace=current_network_namespace(),
        cgroup_procs_file=None if cgroup is None else cgroup.procs_file,
    )
    pid = os.fork()
    if pid == 0:
        try:
            _probe_in_child(config, project_dir)
        finally:
            os._exit(0)
    for fd in (write_fd, stdout_write, stdout_read):
        os.close(fd)
    data = bytearray()
    while chunk := os.read(read_fd, 65536):
        data.extend(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    if cgroup is not None:
        remove_slot_cgroup(cgroup)
    try:
        probe = json.loads(data)
    except ValueError:
        probe = {"layers": {}, "checks": {"probe": "the probe child crashed before reporting"}}
    return _report(probe, cgroup_note)


def _report(probe: dict[str, Any], cgroup_note: str) -> dict[str, Any]:
    layers = {}
    for name in LAYER_NAMES:
        problem = probe["layers"].get(name, "not reached")
        detail = problem or "active"
        if name == "cgroup":
            detail = cgroup_note if problem is None else problem
            if "at " not in cgroup_note:
                detail = f"inactive ({cgroup_note}); memory is capped with RLIMIT_AS instead"
        layers[name] = {
            "active": problem is None and (name != "cgroup" or "at " in cgroup_note),
            "mandatory": name in MANDATORY_LAYERS,
            "detail": detail,
        }
    checks = {
        name: {"passed": problem is None, "detail": problem or "as expected"}
        for name, problem in probe["checks"].items()
    }
    missing = sorted(
        name for name, layer in layers.items() if layer["mandatory"] and not layer["active"]
    )
    failed = sorted(name for name, check in checks.items() if not check["passed"])
    return {
        "secure": not missing and not failed,
        "missing_mandatory_layers": missing,
        "failed_checks": failed,
        "layers": layers,
        "checks": checks,
        "advice": _advice(missing, failed),
    }


def _advice(missing: list[str], failed: list[str]) -> str:
    if not missing and not failed:
        return "all mandatory isolation layers are active"
    hints = []
    if {"namespaces", "mounts", "credentials"} & set(missing):
        hints.append(
            "run the server as root (in Docker: cap_add SYS_ADMIN, SETUID, SETGID, KILL and "
            "security_opt seccomp=unconfined, apparmor=unconfined)"
        )
    if "seccomp" in missing:
        hints.append("install libseccomp2 (apt-get install -y libseccomp2) and pyseccomp")
    hints.append("or set SANDBOX_ALLOW_INSECURE=1 to run without them (never in production)")
    return "; ".join(hints)

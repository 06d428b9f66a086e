"""Which isolation layers work on this machine, found by applying them in a throwaway child.

The child applies every layer, then attacks itself the way a job would. It writes one JSON
line per layer and per check to a pipe as it goes, and its stdout and stderr go to a
temporary file. A layer that fails is reported with its syscall, path, errno and a hint; a
child that dies before finishing is reported with where (after which layer or check), how
(signal or exit status) and what it printed.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import json
import os
import signal
import socket
import tempfile
from collections.abc import Callable
from typing import Any

from sandbox.contain import LAYER_NAMES, LAYERS, STAGES, apply_layer
from sandbox.cpu_limit import (
    CpuLimit,
    available_cores,
    cpu_share,
    describe,
    remove_cpu_group,
    set_up_cpu_limit,
    without_cgroup,
)
from sandbox.layers.config import CHANNEL_FD, ContainConfig
from sandbox.layers.errors import LAYER_HINTS, PRIVILEGE_HINT
from sandbox.layers.namespaces import current_network_namespace
from sandbox.memory_cgroup import CgroupUnavailable, create_slot_cgroup, remove_slot_cgroup
from sandbox.runtime_paths import RuntimeMounts, project_root, runtime_mounts
from sandbox.uid_pool import BLOCK_SIZE, lease_uids, staging_dir

MANDATORY_LAYERS = frozenset(LAYER_NAMES) - {"cgroup"}
RUNTIME_CHECK = "runtime_readable"
CPU_CHECK = "cpu_quota"
# Checks without which no job can run at all: even insecure mode does not start past them.
OPERATIONAL_CHECKS = frozenset({RUNTIME_CHECK})
OUTPUT_TAIL_CHARS = 2000
# Installed packages a job needs besides the standard library, if this interpreter has them.
RUNTIME_PACKAGES = ("numpy", "torch")
_NOT_REACHED = object()
INSECURE_NOTE = "or set SANDBOX_ALLOW_INSECURE=1 to run without them (never in production)"

CHECK_HINTS = {
    "not_root": LAYER_HINTS["credentials"],
    "network_socket_denied": LAYER_HINTS["seccomp"],
    "shadow_unreadable": LAYER_HINTS["mounts"],
    "proc_absent": LAYER_HINTS["mounts"],
    "project_hidden": LAYER_HINTS["mounts"],
    "root_readonly": LAYER_HINTS["mounts"],
    "execve_denied": LAYER_HINTS["seccomp"],
    "workdir_writable": LAYER_HINTS["mounts"],
    "tmp_writable": LAYER_HINTS["mounts"],
    RUNTIME_CHECK: (
        "make the path readable by other users (chmod -R o+rX PATH; with the mounts layer "
        "inactive, also o+x on every parent directory), or install the interpreter and the "
        "virtualenv where other users can read them (for example under /opt), then restart"
    ),
    "probe": "run `python -m sandbox doctor` as root and send its whole output with a bug report",
}


def _expect_denied(action: Callable[[], object], expected: tuple[int, ...]) -> str | None:
    """Run ``action``; None if it failed with one of ``expected`` errnos, else what happened."""
    try:
        action()
    except OSError as exc:
        if exc.errno in expected:
            return None
        return f"failed differently: {exc}"
    return "was allowed"


def _connect_loopback() -> None:
    # A numeric address and no getaddrinfo: nothing here imports a codec lazily.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        connection.settimeout(1)
        connection.connect(("127.0.0.1", 9))


def _mkdir_then_remove(path: str) -> None:
    os.mkdir(path)
    os.rmdir(path)  # only reached when the root is writable: leave nothing behind


def _execve_denied() -> str | None:
    """Try execve in a grandchild, so the probe itself survives if it is allowed."""
    denied, other = 100, 101
    pid = os.fork()
    if pid == 0:
        code = other
        try:
            os.execv("/bin/true", ["true"])
        except OSError as exc:
            code = denied if exc.errno in (errno.EPERM, errno.EACCES) else other
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == denied:
        return None
    return "was allowed" if code == 0 else f"failed differently (exit status {code})"


def _writable(directory: str) -> str | None:
    """None if the job can create a file in ``directory``; the file is removed again."""
    path = os.path.join(directory, f".sandbox-doctor-{os.getpid()}")
    try:
        with open(path, "x") as probe:
            probe.write("ok")
        os.unlink(path)
    except OSError as exc:
        return f"cannot write in {directory}: {exc.strerror} (errno {exc.errno})"
    return None


def _readable(paths: tuple[str, ...]) -> str | None:
    """None if the job can list every directory and open every file in ``paths``."""
    for path in paths:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").close()
        except OSError as exc:
            return (
                f"the job (uid {os.getuid()}) cannot read {path}: {exc.strerror} "
                f"(errno {exc.errno}); jobs would fail to import the standard library or packages"
            )
    return None


def _checks(project_dir: str, runtime_files: tuple[str, ...]) -> dict[str, Callable[[], Any]]:
    """Attacks on the contained process, by name; each returns None when the attack failed."""
    eperm = (errno.EPERM, errno.EACCES)
    return {
        RUNTIME_CHECK: lambda: _readable(runtime_files),
        "not_root": lambda: None if os.getuid() != 0 else "job still runs as root",
        "network_socket_denied": lambda: _expect_denied(_connect_loopback, eperm),
        "shadow_unreadable": lambda: _expect_denied(
            lambda: open("/etc/shadow").close(), (errno.ENOENT,)
        ),
        "proc_absent": lambda: _expect_denied(lambda: os.listdir("/proc/1"), (errno.ENOENT,)),
        "project_hidden": lambda: (
            "project directory visible" if os.path.exists(f"{project_dir}/sandbox") else None
        ),
        "root_readonly": lambda: _expect_denied(
            lambda: _mkdir_then_remove("/.sandbox-doctor-probe"), (errno.EROFS, *eperm)
        ),
        "execve_denied": _execve_denied,
        "workdir_writable": lambda: _writable(os.getcwd()),
        "tmp_writable": lambda: _writable("/tmp"),
    }


class _Channel:
    """JSON lines to the parent; the fd moves to CHANNEL_FD once the fds layer has run."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, record: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            os.write(self.fd, (json.dumps(record) + "\n").encode())


def _probe_in_child(
    config: ContainConfig, project_dir: str, runtime_files: tuple[str, ...]
) -> None:
    channel = _Channel(config.channel_fd)
    for stage in STAGES:  # what a template does once, then what each of its children does
        for layer in LAYERS:
            failure = apply_layer(layer, config, stage)
            if layer.NAME == "fds" and stage == "apply" and failure is None:
                channel.fd = CHANNEL_FD
            channel.send({"layer": layer.NAME, "stage": stage, "failure": failure})
    for name, check in _checks(project_dir, runtime_files).items():
        try:
            problem = check()
        except BaseException as exc:  # noqa: BLE001 - a crashing check is reported, not fatal
            problem = f"the check itself raised {type(exc).__name__}: {exc}"
        channel.send({"check": name, "problem": problem})
    channel.send({"done": True})


def _runtime_files(mounts: RuntimeMounts) -> tuple[str, ...]:
    """What a job must be able to read: every bound path, the stdlib and the main packages."""
    files = [*mounts.readonly_paths, os.__file__]
    for package in RUNTIME_PACKAGES:
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(package)
            if spec is not None and spec.origin:
                files.append(spec.origin)
    return tuple(files)


def run_probe(
    uid: int | None = None,
    mounts: RuntimeMounts | None = None,
    project_dir: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Fork a child that applies every layer and attacks itself; return the JSON report.

    ``uid`` must be a uid leased by the caller; without it a uid block is leased for the probe.
    ``project_dir`` (default: this checkout) must stay hidden; ``mounts`` (default: this
    interpreter's runtime with the project hidden) is what the job's root shows. ``workers``
    (default: one per core) sets the CPU share the ``cpu_quota`` check reports.
    """
    if uid is None:
        lease = lease_uids()
        try:
            return run_probe(lease.base + BLOCK_SIZE - 1, mounts, project_dir, workers)
        finally:
            lease.release()
    try:
        cgroup = create_slot_cgroup(uid)
        cgroup_note = f"cgroup v{cgroup.version} at {cgroup.path}"
    except CgroupUnavailable as exc:
        cgroup, cgroup_note = None, str(exc)
    cpu = set_up_cpu_limit(uid, cpu_share(workers or available_cores()))
    procs_files = [] if cgroup is None else [cgroup.procs_file]
    if cpu.procs_file is not None and cpu.procs_file not in procs_files:
        procs_files.append(cpu.procs_file)
    project_dir = project_dir or project_root()
    mounts = mounts or runtime_mounts([project_dir])
    runtime_files = _runtime_files(mounts)
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as output:
        config = ContainConfig(
            uid=uid,
            gid=uid,
            channel_fd=write_fd,
            stdout_fd=output.fileno(),
            stderr_fd=output.fileno(),
            readonly_paths=mounts.readonly_paths,
            hidden_paths=mounts.hidden_paths,
            staging_dir=staging_dir(),
            host_network_namespace=current_network_namespace(),
            cgroup_procs_files=tuple(procs_files),
        )
        pid = os.fork()
        if pid == 0:
            try:
                _probe_in_child(config, project_dir, runtime_files)
            finally:
                os._exit(0)
        os.close(write_fd)
        data = bytearray()
        while chunk := os.read(read_fd, 65536):
            data.extend(chunk)
        os.close(read_fd)
        _, status = os.waitpid(pid, 0)
        output.seek(0)
        printed = output.read().decode("utf-8", errors="replace")
    if cgroup is not None:
        remove_slot_cgroup(cgroup)
    remove_cpu_group(cpu)
    probe = _parse(bytes(data), status, printed)
    if cpu.procs_file is not None and probe["layers"].get("cgroup", _NOT_REACHED) is not None:
        cpu = without_cgroup(cpu, "the probe could not join the CPU group (see layer cgroup)")
    report = _report(probe, cgroup_note)
    report["checks"][CPU_CHECK] = _cpu_check(cpu)
    report["runtime_paths"] = {
        "readonly": list(mounts.readonly_paths),
        "hidden": list(mounts.hidden_paths),
    }
    return report


def _cpu_check(cpu: CpuLimit) -> dict[str, Any]:
    """The ``cpu_quota`` check: how a job is held to its share of the cores.

    Either way a job cannot use more than its share, so it passes; ``mechanism`` says which:
    a cgroup quota, or RLIMIT_NPROC (fewer processes and threads) where no cpu controller is
    writable.
    """
    return {
        "passed": True,
        "mechanism": cpu.mechanism,
        "cores_per_job": cpu.share_cores,
        "detail": describe(cpu),
    }


def _parse(data: bytes, status: int, printed: str) -> dict[str, Any]:
    """The child's records; a ``probe`` check says how and where it died if it did not finish.

    A layer is reported by its first failure, as working once both of its stages worked, and
    not at all (not reached) otherwise.
    """
    failures: dict[str, Any] = {}
    worked: dict[str, set[str]] = {}
    checks: dict[str, str | None] = {}
    done = False
    last_step = "before applying the first layer"
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "layer" in record:
            name, stage = record["layer"], record.get("stage", "apply")
            if record["failure"] is None:
                worked.setdefault(name, set()).add(stage)
            else:
                failures.setdefault(name, record["failure"])
            last_step = f"after layer '{name}' ({stage})"
        elif "check" in record:
            checks[record["check"]] = record["problem"]
            last_step = f"after check '{record['check']}'"
        done = done or record.get("done") is True
    if not done:
        checks["probe"] = (
            f"the probe child {_describe_exit(status)} {last_step}, before reporting everything; "
            f"it printed: {printed[-OUTPUT_TAIL_CHARS:].strip() or '(nothing)'}"
        )
    layers = {name: None for name, stages in worked.items() if stages >= set(STAGES)}
    return {"layers": {**layers, **failures}, "checks": checks}


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(ValueError):
            return f"was killed by signal {number} ({signal.Signals(number).name})"
        return f"was killed by signal {number}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def _layer_entry(name: str, failure: Any, cgroup_note: str) -> dict[str, Any]:
    """One layer of the report; ``failure`` is None, a ``LayerError.as_dict()`` or NOT_REACHED."""
    in_use = name != "cgroup" or "at " in cgroup_note
    if failure is _NOT_REACHED:
        entry = {"active": False, "detail": "not reached (the probe child died earlier)"}
    elif failure is None:
        detail = "active" if name != "cgroup" else cgroup_note
        if not in_use:
            detail = f"inactive ({cgroup_note}); memory is capped with RLIMIT_AS instead"
        entry = {"active": in_use, "detail": detail}
    elif isinstance(failure, dict):
        entry = {
            "active": False,
            "detail": failure.get("message", ""),
            "syscall": failure.get("syscall"),
            "path": failure.get("path"),
            "errno": failure.get("errno"),
            "hint": failure.get("hint") or LAYER_HINTS.get(name, ""),
        }
    else:
        entry = {"active": False, "detail": str(failure), "hint": LAYER_HINTS.get(name, "")}
    return {"active": entry.pop("active"), "mandatory": name in MANDATORY_LAYERS, **entry}


def _report(probe: dict[str, Any], cgroup_note: str) -> dict[str, Any]:
    """The doctor's JSON from the child's records (``{"layers": ..., "checks": ...}``)."""
    layers = {
        name: _layer_entry(name, probe["layers"].get(name, _NOT_REACHED), cgroup_note)
        for name in LAYER_NAMES
    }
    checks: dict[str, dict[str, Any]] = {}
    for name, problem in probe["checks"].items():
        checks[name] = {"passed": problem is None, "detail": problem or "as expected"}
        if problem is not None:
            checks[name]["hint"] = CHECK_HINTS.get(name, "")
    missing = sorted(
        name for name, layer in layers.items() if layer["mandatory"] and not layer["active"]
    )
    failed = sorted(name for name, check in checks.items() if not check["passed"])
    problems = [_problem("layer", name, layers[name]) for name in missing]
    problems += [_problem("check", name, checks[name]) for name in failed]
    return {
        "secure": not missing and not failed,
        "jobs_can_run": not OPERATIONAL_CHECKS & set(failed),
        "missing_mandatory_layers": missing,
        "failed_checks": failed,
        "problems": problems,
        "layers": layers,
        "checks": checks,
        "advice": _advice(layers, checks, missing, failed),
    }


def _problem(kind: str, name: str, entry: dict[str, Any]) -> str:
    hint = entry.get("hint")
    return f"{kind} {name}: {entry['detail']}" + (f" -- fix: {hint}" if hint else "")


def _advice(
    layers: dict[str, Any], checks: dict[str, Any], missing: list[str], failed: list[str]
) -> str:
    if not missing and not failed:
        return "all mandatory isolation layers are active"
    hints: list[str] = []
    for hint in [layers[name].get("hint") for name in missing] + [
        checks[name].get("hint") for name in failed
    ]:
        if hint and hint not in hints:
            hints.append(hint)
    if PRIVILEGE_HINT not in hints and {"namespaces", "mounts", "credentials"} & set(missing):
        hints.append(PRIVILEGE_HINT)
    if not OPERATIONAL_CHECKS & set(failed):
        hints.append(INSECURE_NOTE)
    return "; ".join(hints)

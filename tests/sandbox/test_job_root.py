"""The job's root wherever the runtime lives, probed by the doctor with real layers (as root).

Every test adds directories that stand in for an interpreter or virtualenv to the runtime this
interpreter really uses, and lets the doctor's probe child apply all layers and attack itself.
pytest's ``tmp_path`` is under ``/tmp``, so every runtime here lives under ``/tmp``.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys

import pytest

from sandbox.doctor import run_probe
from sandbox.layers import mounts, rlimits, seccomp
from sandbox.runtime_paths import RuntimeMounts, plan_mounts, project_root, runtime_mounts
from tests.sandbox.conftest import requires_root

pytestmark = requires_root


def fake_runtime(path) -> str:
    """A directory shaped like a small virtualenv, readable by everyone."""
    (path / "lib").mkdir(parents=True)
    (path / "lib" / "module.py").write_text("VALUE = 1\n")
    return str(path)


def with_extra(*paths: str, hidden: tuple[str, ...] = ()) -> RuntimeMounts:
    real = runtime_mounts([project_root()])
    return plan_mounts([*real.readonly_paths, *paths], [*real.hidden_paths, *hidden])


def assert_secure(report: dict) -> None:
    assert report["secure"] is True, report["problems"]
    assert report["missing_mandatory_layers"] == [] and report["failed_checks"] == []


def test_runtime_under_tmp_in_a_path_with_spaces(tmp_path):
    runtime = fake_runtime(tmp_path / "tg copy" / "venv with space")
    report = run_probe(mounts=with_extra(runtime))
    assert_secure(report)
    assert runtime in report["runtime_paths"]["readonly"]
    assert report["checks"]["tmp_writable"]["passed"]


def test_runtime_below_a_0700_home_the_slot_uid_cannot_traverse(tmp_path):
    home = tmp_path / "home"
    runtime = fake_runtime(home / "user" / ".pyenv" / "versions" / "3.11")
    home.chmod(0o700)
    report = run_probe(mounts=with_extra(runtime))
    assert_secure(report)
    assert report["checks"]["runtime_readable"]["passed"]


def test_a_0077_umask_in_the_server_does_not_lock_the_job_out_of_its_runtime():
    old_umask = os.umask(0o077)
    try:
        report = run_probe()
    finally:
        os.umask(old_umask)
    assert_secure(report)


def test_an_unreadable_runtime_fails_closed_naming_the_path(tmp_path):
    runtime = fake_runtime(tmp_path / "private venv")
    os.chmod(runtime, 0o700)
    report = run_probe(mounts=with_extra(runtime))
    assert report["secure"] is False and report["jobs_can_run"] is False
    assert report["failed_checks"] == ["runtime_readable"]
    check = report["checks"]["runtime_readable"]
    assert runtime in check["detail"] and "Permission denied" in check["detail"]
    assert "chmod -R o+rX" in check["hint"]
    assert "SANDBOX_ALLOW_INSECURE" not in report["advice"]


@pytest.mark.parametrize("reserved", ["/job/venv", "/tmp", "/dev/shm/venv"])
def test_a_runtime_where_the_sandbox_mounts_its_own_fails_closed(reserved):
    real = runtime_mounts([project_root()])
    report = run_probe(mounts=RuntimeMounts((*real.readonly_paths, reserved), ()))
    mounts = report["layers"]["mounts"]
    assert report["secure"] is False and mounts["active"] is False
    assert mounts["path"] == reserved and mounts["syscall"] == "plan the new root"
    assert "/opt" in mounts["hint"]


def test_a_vanished_runtime_path_is_named_with_its_errno(tmp_path):
    missing = str(tmp_path / "gone")
    report = run_probe(mounts=with_extra(missing))
    mounts = report["layers"]["mounts"]
    assert mounts["active"] is False
    assert (mounts["path"], mounts["errno"]) == (missing, 2)
    assert "no longer exists" in mounts["detail"] and mounts["hint"]
    assert any(problem.startswith("layer mounts:") for problem in report["problems"])


def test_a_checkout_inside_a_bound_directory_is_hidden_but_its_venv_is_not(tmp_path):
    outer = tmp_path / "usr local src"
    project = outer / "tg"
    (project / "sandbox").mkdir(parents=True)
    (project / "settings.py").write_text("SECRET_KEY = 'x'\n")
    venv = fake_runtime(project / ".venv")
    mounts = with_extra(str(outer), venv, hidden=(str(project),))
    assert str(project) in mounts.hidden_paths and venv in mounts.readonly_paths
    report = run_probe(mounts=mounts, project_dir=str(project))
    assert_secure(report)
    assert report["checks"]["project_hidden"]["passed"]


def test_an_unexpected_exception_in_a_layer_is_reported_and_probing_goes_on(monkeypatch):
    def broken(config):
        raise ValueError("boom")

    monkeypatch.setattr(rlimits, "apply", broken)
    report = run_probe()
    layer = report["layers"]["rlimits"]
    assert layer["active"] is False and "unexpected ValueError: boom" in layer["detail"]
    assert "(at " in layer["detail"] and "test_job_root.py" in layer["detail"]
    assert "bug" in layer["hint"]
    assert report["layers"]["seccomp"]["active"] and "probe" not in report["checks"]


def test_a_probe_child_killed_midway_says_where_and_what_it_printed(monkeypatch):
    def dies(config):
        os.write(2, b"last words before the kill\n")
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(seccomp, "apply", dies)
    report = run_probe()
    probe = report["checks"]["probe"]["detail"]
    assert "killed by signal 9 (SIGKILL) after layer 'credentials'" in probe
    assert "last words before the kill" in probe
    assert report["layers"]["credentials"]["active"]
    assert "not reached" in report["layers"]["seccomp"]["detail"]


def test_a_missing_seccomp_layer_is_found_by_the_attacks_and_the_probe_survives(monkeypatch):
    monkeypatch.setattr(seccomp, "apply", lambda config: None)
    report = run_probe()
    assert report["secure"] is False
    assert {"execve_denied", "network_socket_denied"} <= set(report["failed_checks"])
    assert report["checks"]["execve_denied"]["detail"] == "was allowed"
    assert "probe" not in report["checks"] and report["checks"]["tmp_writable"]["passed"]


def test_a_probe_without_its_own_root_leaves_nothing_on_the_host(monkeypatch):
    monkeypatch.setattr(mounts, "prepare", lambda config: None)
    monkeypatch.setattr(mounts, "apply", lambda config: None)
    report = run_probe()
    # Without its own root the probe wrote in the host's /tmp; it must have cleaned up.
    assert report["secure"] is False and report["checks"]["tmp_writable"]["passed"]
    assert glob.glob("/tmp/.sandbox-doctor-*") == []
    assert not os.path.exists("/.sandbox-doctor-probe")


DOCTOR_WITH_BROKEN_MOUNTS = """
import sys
from sandbox.layers import mounts
from sandbox.layers.errors import LayerError

def broken(config):
    raise LayerError("mounts", "mount(MS_BIND)", "Permission denied (EACCES, errno 13)",
                     path="/srv/venv", errno=13)

mounts.prepare = broken
from sandbox.cli import main
sys.exit(main(["doctor"]))
"""


def test_doctor_command_prints_the_cause_and_the_fix():
    completed = subprocess.run(
        [sys.executable, "-c", DOCTOR_WITH_BROKEN_MOUNTS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=project_root(),
    )
    assert completed.returncode == 1
    assert "NOT SECURE" in completed.stderr
    assert "layer mounts: isolation layer 'mounts' failed: mount(MS_BIND) on '/srv/venv'" in (
        completed.stderr
    )
    assert "errno 13" in completed.stderr and "run the sandbox server as root" in completed.stderr

import json
import subprocess
import sys

from sandbox import doctor, server
from sandbox.contain import LAYER_NAMES
from sandbox.layers.errors import LayerError
from tests.sandbox.conftest import requires_root


@requires_root
def test_probe_reports_every_layer_active_here():
    report = doctor.run_probe()
    assert set(report["layers"]) == set(LAYER_NAMES)
    assert report["missing_mandatory_layers"] == []
    assert report["failed_checks"] == []
    assert report["secure"] is True
    assert all(check["passed"] for check in report["checks"].values())
    cpu = report["checks"]["cpu_quota"]
    assert cpu["mechanism"] in ("cgroup v1 cpu quota", "cgroup v2 cpu.max", "RLIMIT_NPROC")
    assert cpu["cores_per_job"] > 0 and cpu["mechanism"] in cpu["detail"]


@requires_root
def test_doctor_command_prints_json():
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0 and report["secure"] is True


def insecure_report(**checks: str | None) -> dict:
    """A report as the probe gives it when the seccomp layer fails and ``checks`` ran."""
    failure = LayerError("seccomp", "seccomp_load", "Invalid argument", errno=22).as_dict()
    layers = {name: None for name in LAYER_NAMES}
    return doctor._report({"layers": {**layers, "seccomp": failure}, "checks": checks}, "none")


def test_report_names_missing_layers_and_gives_advice():
    report = insecure_report()
    assert report["secure"] is False
    assert "seccomp" in report["missing_mandatory_layers"]
    assert "libseccomp2" in report["advice"]
    assert "SANDBOX_ALLOW_INSECURE=1" in report["advice"]


def test_server_refuses_to_start_without_mandatory_layers(monkeypatch, capsys):
    monkeypatch.setattr(server, "run_probe", lambda uid, **options: insecure_report())
    monkeypatch.delenv(server.INSECURE_ENV, raising=False)
    assert server.serve("/nonexistent/sandbox.sock", workers=1) == server.EXIT_INSECURE_REFUSED
    assert "refusing to start" in capsys.readouterr().err


def test_insecure_start_needs_the_explicit_switch(monkeypatch, capsys):
    monkeypatch.setattr(server, "run_probe", lambda uid, **options: insecure_report())
    monkeypatch.setenv(server.INSECURE_ENV, "1")
    may_start, report = server.check_isolation(probe_uid=1)
    assert may_start and report["secure"] is False
    assert "STARTING INSECURE" in capsys.readouterr().err


def test_report_carries_syscall_errno_and_hint_of_a_failed_layer():
    seccomp = insecure_report()["layers"]["seccomp"]
    assert seccomp["active"] is False and seccomp["mandatory"] is True
    assert (seccomp["syscall"], seccomp["errno"]) == ("seccomp_load", 22)
    assert "libseccomp2" in seccomp["hint"]
    assert "seccomp_load: Invalid argument" in seccomp["detail"]


def test_insecure_mode_does_not_start_when_no_job_could_run(monkeypatch, capsys):
    unreadable = "the job (uid 62255) cannot read /home/me/.venv: Permission denied (errno 13)"
    report = insecure_report(runtime_readable=unreadable)
    monkeypatch.setattr(server, "run_probe", lambda uid, **options: report)
    monkeypatch.setenv(server.INSECURE_ENV, "1")
    may_start, _ = server.check_isolation(probe_uid=1)
    assert may_start is False and report["jobs_can_run"] is False
    logged = capsys.readouterr().err
    assert "refusing to start, even with SANDBOX_ALLOW_INSECURE=1" in logged
    assert "/home/me/.venv" in logged and "chmod -R o+rX" in logged

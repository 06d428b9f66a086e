import json
import os
import subprocess
import sys

import pytest

from sandbox import doctor, server
from sandbox.contain import LAYER_NAMES

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation layers need root")


def test_probe_reports_every_layer_active_here():
    report = doctor.run_probe()
    assert set(report["layers"]) == set(LAYER_NAMES)
    assert report["missing_mandatory_layers"] == []
    assert report["failed_checks"] == []
    assert report["secure"] is True
    assert all(check["passed"] for check in report["checks"].values())


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


def insecure_report() -> dict:
    return doctor._report(
        {
            "layers": {"seccomp": "isolation layer 'seccomp' failed: seccomp_load: nope"},
            "checks": {},
        },
        "no cgroup",
    )


def test_report_names_missing_layers_and_gives_advice():
    report = insecure_report()
    assert report["secure"] is False
    assert "seccomp" in report["missing_mandatory_layers"]
    assert "libseccomp2" in report["advice"]
    assert "SANDBOX_ALLOW_INSECURE=1" in report["advice"]


def test_server_refuses_to_start_without_mandatory_layers(monkeypatch, capsys):
    monkeypatch.setattr(server, "run_probe", lambda uid: insecure_report())
    monkeypatch.delenv(server.INSECURE_ENV, raising=False)
    assert server.serve("/nonexistent/sandbox.sock", workers=1) == server.EXIT_INSECURE_REFUSED
    assert "refusing to start" in capsys.readouterr().err


def test_insecure_start_needs_the_explicit_switch(monkeypatch, capsys):
    monkeypatch.setattr(server, "run_probe", lambda uid: insecure_report())
    monkeypatch.setenv(server.INSECURE_ENV, "1")
    may_start, report = server.check_isolation(probe_uid=1)
    assert may_start and report["secure"] is False
    assert "STARTING INSECURE" in capsys.readouterr().err

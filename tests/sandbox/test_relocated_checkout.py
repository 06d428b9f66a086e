"""The checkout and its virtualenv copied under /tmp, into a path with a space: still secure.

The copy is real: the checkout's files are copied, and a new virtualenv (``--copies``, so its
interpreter is a file of its own) gets the packages of this one as hard links, which takes
seconds instead of copying gigabytes. ``doctor`` and ``run`` then start from the copy as any
user would, with the real server, as root.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from sandbox.runtime_paths import project_root
from tests.sandbox.conftest import requires_root

pytestmark = requires_root

NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.pyc", "*.sqlite3", "var", ".*_cache", "*.egg-info"
)

JOB = """
import colorsys, os, sys, torch

with open("/tmp/note.txt", "w") as note:
    note.write("tmp is writable")
result = {
    "prefix": sys.prefix,
    "uid": os.getuid(),
    "cwd": os.getcwd(),
    "fresh_stdlib_module": colorsys.rgb_to_hsv(1.0, 0.0, 0.0),
    "torch": float(torch.ones(4).sum()),
    "checkout_visible": os.path.exists(os.path.join(CHECKOUT, "sandbox")),
}
"""


@pytest.fixture(scope="module")
def relocated(tmp_path_factory) -> tuple[Path, Path]:
    """(checkout, its .venv) copied to ``/tmp/.../tg copy/checkout``."""
    base = tmp_path_factory.mktemp("relocated") / "tg copy"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    base.mkdir()
    if os.stat(base).st_dev != os.stat(site_packages).st_dev:
        pytest.skip("the temporary directory is on another filesystem; cannot hard-link the venv")
    checkout = base / "checkout"
    shutil.copytree(project_root(), checkout, ignore=NOT_COPIED)
    venv = checkout / ".venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", "--copies", "--without-pip", venv], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run(
        ["cp", "-al", f"{site_packages}/.", str(venv / "lib" / version / "site-packages")],
        check=True,
    )
    return checkout, venv


def run_from(checkout: Path, venv: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "sandbox", *arguments],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_doctor_from_the_copy_finds_every_mandatory_layer_active(relocated):
    checkout, venv = relocated
    completed = run_from(checkout, venv, "doctor")
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, report["problems"]
    assert report["secure"] is True
    mandatory = {name: layer for name, layer in report["layers"].items() if layer["mandatory"]}
    assert mandatory and all(layer["active"] for layer in mandatory.values())
    assert str(venv) in report["runtime_paths"]["readonly"]
    assert os.path.join(project_root(), ".venv") not in report["runtime_paths"]["readonly"]


def test_a_job_from_the_copy_runs_contained(relocated, tmp_path):
    checkout, venv = relocated
    job = tmp_path / "job.py"
    job.write_text(f"CHECKOUT = {str(checkout)!r}\n" + JOB)
    completed = run_from(checkout, venv, "run", str(job))
    report = json.loads(completed.stdout)
    assert report["status"] == "ok", (report, completed.stderr)
    result = ast.literal_eval(report["result"])
    assert result["prefix"] == str(venv)
    assert result["uid"] != 0 and result["cwd"] == "/job"
    assert result["fresh_stdlib_module"] == (0.0, 1.0, 1.0)
    assert result["torch"] == 4.0
    assert result["checkout_visible"] is False

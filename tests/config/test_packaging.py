"""The wheel and the Docker image carry the engine and the whole question bank."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bank_files() -> set[str]:
    bank = ROOT / "bank"
    return {
        path.relative_to(ROOT).as_posix()
        for path in bank.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def _top_level_packages() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*") for pattern in include})


LEFT_OUT_OF_THE_COPY = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", "node_modules", ".*_cache"
)


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    """The file names in a wheel built from a copy of the checkout (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("source") / "tensorgrade"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT_OF_THE_COPY)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("tensorgrade-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_holds_every_file_of_every_question(wheel_names):
    missing = _bank_files() - wheel_names
    assert not missing, f"question files missing from the wheel: {sorted(missing)[:10]}"
    assert any(name.endswith("code-layer-norm/tests.toml") for name in wheel_names)


def test_the_wheel_holds_the_engine_templates_and_papers(wheel_names):
    for name in (
        "question_engine/jobs/question.py",
        "question_engine/jobs/code_tests.py",
        "exams/papers.toml",
        "frontend/templates/frontend/base.html",
    ):
        assert name in wheel_names


def test_the_docker_image_copies_every_package_and_the_bank():
    copied = set(re.findall(r"^COPY (\S+) \./\S*$", (ROOT / "Dockerfile").read_text(), re.M))
    assert set(_top_level_packages()) <= copied
    assert "bank" in copied

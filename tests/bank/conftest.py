"""Fixtures for the bank tests: an in-process stand-in for the sandbox and small questions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import bank.runner


def run_in_process(code: str, calls: Sequence[tuple[str, tuple[Any, ...]]], where: str) -> list:
    """Execute harness calls in this process, passing results through JSON like the sandbox."""
    namespace: dict[str, Any] = {"__name__": "tensorgrade_job"}
    exec(compile(code, bank.runner.HARNESS_FILENAME, "exec"), namespace)
    outputs = []
    for entry, args in calls:
        try:
            output = namespace[entry](*json.loads(json.dumps(args)))
        except Exception as exc:  # the sandbox reports any failure of author code as an error
            raise bank.QuestionRunError(f"{where}: running the question failed: {exc}") from exc
        outputs.append(json.loads(json.dumps(output)))
    return outputs


@pytest.fixture
def in_process_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank.runner, "execute_job", run_in_process)


MINIMAL_FILES = {
    "question.toml": """
title = "Tiny"
topic = "Testing"
source = "made up"

[[parts]]
label = "y"
marks = 1
kind = "number"
prompt = "Compute $y$."
rule = { tolerance = { dp = 2 } }
""",
    "question.py": """
import numpy as np


def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    u = r.report("u", p["a"] / 3)
    r.report("y", u * 3 + 1)
""",
    "statement.md": "Let $a = {{ a }}$.",
    "solution.md": "$y = {{ q.y | num(2) }}$",
}


@pytest.fixture
def make_question(tmp_path: Path):
    """Create a question folder from the minimal files, with some replaced or removed."""

    def make(slug: str = "tiny", files: dict[str, str | None] | None = None) -> Path:
        folder = tmp_path / "bank" / slug
        folder.mkdir(parents=True)
        for name, text in {**MINIMAL_FILES, **(files or {})}.items():
            if text is not None:
                (folder / name).write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture
def minimal_files() -> dict[str, str]:
    return dict(MINIMAL_FILES)

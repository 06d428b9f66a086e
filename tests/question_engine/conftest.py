"""Fixtures for the question engine tests: small throwaway question folders."""

from __future__ import annotations

from pathlib import Path

import pytest

MINIMAL_FILES = {
    "question.toml": """
title = "Tiny"
topic = "Testing"
source = "not from a seed paper"

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

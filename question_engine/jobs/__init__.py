"""Programs that run inside the sandbox, each one self-contained module shipped as source text.

A job module imports only the standard library, numpy and torch, never this package, so its
file's text is the whole program the sandbox runs; the trusted side calls its entry points by
name through `sandbox.Call`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

JOBS_DIR = Path(__file__).resolve().parent
QUESTION_JOB = "question"
CODE_TESTS_JOB = "code_tests"


@cache
def job_source(name: str) -> str:
    """The source text of job module `name` (`QUESTION_JOB` or `CODE_TESTS_JOB`).

    Raises FileNotFoundError for an unknown name.
    """
    return (JOBS_DIR / f"{name}.py").read_text(encoding="utf-8")


def job_filename(name: str) -> str:
    """The file name the sandbox shows in tracebacks for job `name`."""
    return f"tensorgrade_{name}_job.py"

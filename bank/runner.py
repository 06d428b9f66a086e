"""Running question code (generate/solve) in the sandbox: one job, one or more harness calls."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from bank.errors import QuestionRunError

HARNESS_FILES = ("reporter.py", "harness.py")
HARNESS_FILENAME = "tensorgrade_harness.py"
HarnessCall = tuple[str, tuple[Any, ...]]


@cache
def harness_code() -> str:
    """Source of the sandbox job: reporter + harness, minus their `from bank.` imports."""
    folder = Path(__file__).resolve().parent
    chunks = []
    for name in HARNESS_FILES:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        chunks.append("\n".join(line for line in lines if not line.startswith("from bank.")))
    return "\n\n".join(chunks) + "\n"


def execute_job(code: str, calls: Sequence[HarnessCall], where: str) -> list[Any]:
    """Run `calls` against `code` in one sandbox job; return each call's output."""
    from sandbox import Call, Job, get_client

    job = Job(
        code=code,
        calls=[Call(entry, args=args) for entry, args in calls],
        filename=HARNESS_FILENAME,
    )
    result = get_client().run(job)
    if result.status != "ok":
        detail = (result.error or "").strip() or (result.stderr or "").strip()[-2000:]
        raise QuestionRunError(f"{where}: running the question failed ({result.status}): {detail}")
    return list(result.outputs)


def run_harness(slug: str, calls: Sequence[HarnessCall]) -> list[Any]:
    """Run harness entry points (see bank/harness.py) for question `slug` in one sandbox job."""
    outputs = execute_job(harness_code(), calls, f"bank/{slug}/question.py")
    if len(outputs) != len(calls):
        raise QuestionRunError(
            f"bank/{slug}/question.py: the sandbox returned {len(outputs)} results "
            f"for {len(calls)} calls"
        )
    for output in outputs:
        if not isinstance(output, dict):
            raise QuestionRunError(
                f"bank/{slug}/question.py: the harness returned {type(output).__name__}, not a dict"
            )
    return outputs

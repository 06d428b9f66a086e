"""Running question code (generate/solve) in the sandbox: one job, one or more harness calls."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from bank.errors import QuestionRunError
from sandbox import Call, CodecError, Job, JobResult, SandboxUnavailable, get_client

HARNESS_FILES = ("reporter.py", "harness.py")
HARNESS_FILENAME = "tensorgrade_harness.py"
HarnessCall = tuple[str, tuple[Any, ...]]
# Question code is deterministic, so a job the sandbox itself lost is safe to run again.
INFRASTRUCTURE_STATUSES = ("sandbox_error", "killed")
INFRASTRUCTURE_RETRIES = 2


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
    job = Job(
        code=code,
        calls=[Call(entry, args=args) for entry, args in calls],
        filename=HARNESS_FILENAME,
    )
    try:
        result = get_client().run(job)
        for _ in range(INFRASTRUCTURE_RETRIES):
            if result.status not in INFRASTRUCTURE_STATUSES:
                break
            result = get_client().run(job)
    except (SandboxUnavailable, CodecError) as exc:
        raise QuestionRunError(f"{where}: the sandbox could not run the question: {exc}") from None
    if result.status != "ok":
        raise QuestionRunError(
            f"{where}: running the question failed ({result.status}): {_failure(result)}"
        )
    return list(result.outputs)


def _failure(result: JobResult) -> str:
    if result.error is not None:
        return f"{result.error.type}: {result.error.message}"
    return (result.stderr or "").strip()[-2000:] or "no error message"


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

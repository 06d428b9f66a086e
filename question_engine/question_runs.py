"""Running question code (generate/solve) in the sandbox: one job, one or more entry-point calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from question_engine.errors import QuestionRunError
from question_engine.jobs import PERTURBED_QUESTION_JOB, QUESTION_JOB, job_filename, job_source
from question_engine.sandbox_jobs import run_job
from sandbox import Call, Job, JobResult

HarnessCall = tuple[str, tuple[Any, ...]]


def _execute_harness(harness: str, calls: Sequence[HarnessCall], where: str) -> list[Any]:
    """Run `calls` against the harness `harness` of `question_engine.jobs` (our own code, so it is
    sent compiled) in one sandbox job; return each call's output. The question's code travels
    in the calls' arguments and is compiled inside the job.

    Raises `QuestionRunError` when the question's code fails, `SandboxFailure` when the
    sandbox does (see `question_engine.sandbox_jobs`).
    """
    job = Job(
        code=job_source(harness),
        calls=[Call(entry, args=args) for entry, args in calls],
        filename=job_filename(QUESTION_JOB),
        precompiled=True,
    )
    result = run_job(job, where=where)
    if result.status != "ok":
        raise QuestionRunError(
            f"{where}: running the question failed ({result.status}): {_failure(result)}"
        )
    return list(result.outputs)


def _failure(result: JobResult) -> str:
    if result.error is not None:
        return f"{result.error.type}: {result.error.message}"
    return (result.stderr or "").strip()[-2000:] or "no error message"


def run_harness(slug: str, calls: Sequence[HarnessCall], *, perturbed: bool = False) -> list[Any]:
    """Run entry points of the question job (`jobs/question.py`) for `slug` in one sandbox job;
    `perturbed` when a call runs perturbed solves (the job then bundles `jobs/perturbations.py`).
    """
    job = PERTURBED_QUESTION_JOB if perturbed else QUESTION_JOB
    outputs = _execute_harness(job, calls, f"bank/{slug}/question.py")
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

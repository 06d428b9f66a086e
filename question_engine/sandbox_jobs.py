"""The one policy for running a sandbox job: which statuses are retried, how often, how long.

Every job the engine sends (generate/solve, carried-forward, reference and wrong solutions,
submissions, visible tests) goes through `run_job`. A `sandbox_error` (an isolation layer could
not be applied, or the job process died before the job started) and an unreachable sandbox
are the sandbox's failures: they are retried here after short pauses, and when every try
failed `SandboxFailure` is raised, which callers treat as "retry later", never as a mark.
Every other status is the job's own outcome and is returned as it is (`killed` included: with
the sandbox's own restarts reported as `sandbox_error` or SandboxUnavailable, a killed job is
one whose code crashed its process).

What each caller does with `SandboxFailure` (a submission waits in `error` and is retried over
hours, visible tests and variant building answer 503 "try again in a minute", nothing is
charged) is the failure policy in docs/grading.md.
"""

from __future__ import annotations

import logging
import time

from question_engine.errors import QuestionRunError, SandboxFailure
from sandbox import CodecError, Job, JobResult, SandboxUnavailable, get_client

logger = logging.getLogger(__name__)

INFRASTRUCTURE_STATUSES = frozenset({"sandbox_error"})
RETRY_PAUSES_S = (0.5, 2.0)


def run_job(job: Job, *, where: str) -> JobResult:
    """Run `job`, retrying the sandbox's own failures; return a result that is the job's own.

    `where` names the question file for messages. Tries 1 + len(RETRY_PAUSES_S) times in all.
    Raises `SandboxFailure` when the sandbox is unreachable or failed every try, and
    `QuestionRunError` when an argument cannot be sent (the question's data is not plain).
    """
    problem = ""
    for attempt, pause_s in enumerate((0.0, *RETRY_PAUSES_S)):
        if pause_s:
            time.sleep(pause_s)
        try:
            result = get_client().run(job)
        except SandboxUnavailable as exc:
            problem = f"the sandbox could not be reached: {exc}"
        except CodecError as exc:
            raise QuestionRunError(f"{where}: a job argument cannot be sent: {exc}") from None
        else:
            if result.status not in INFRASTRUCTURE_STATUSES:
                return result
            detail = result.error.message if result.error is not None else "no detail"
            problem = f"the sandbox failed to run the job ({result.status}: {detail})"
        logger.warning("%s: try %d of %d: %s", where, attempt + 1, len(RETRY_PAUSES_S) + 1, problem)
    raise SandboxFailure(f"{where}: {problem}")

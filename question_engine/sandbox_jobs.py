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
hours, a variant build is retried by its task, visible tests answer 503 "try again in a
minute", nothing is charged) is the failure policy in docs/grading.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from question_engine.errors import QuestionRunError, SandboxFailure
from sandbox import CodecError, Job, JobResult, SandboxUnavailable, get_client
from sandbox.client import QUEUE_TIMEOUT_S

logger = logging.getLogger(__name__)

INFRASTRUCTURE_STATUSES = frozenset({"sandbox_error"})
RETRY_PAUSES_S = (0.5, 2.0)
# How long a job sent while a person waits on a page may queue for a sandbox slot.
INTERACTIVE_QUEUE_TIMEOUT_S = 20.0

_someone_waiting: ContextVar[bool] = ContextVar("someone_waiting", default=False)


@contextmanager
def someone_waiting() -> Iterator[None]:
    """Jobs sent inside this block serve a person waiting on a page (visible tests, an
    instructor's preview): they go to the sandbox server's interactive lane (slots kept for
    them, so they never queue behind the workers' marking jobs; docs/sandbox.md), each waits
    at most INTERACTIVE_QUEUE_TIMEOUT_S for a slot and is not tried again when none took it,
    so a busy or hung sandbox answers "try again in a minute" at once instead of holding the
    web request for many minutes."""
    token = _someone_waiting.set(True)
    try:
        yield
    finally:
        _someone_waiting.reset(token)


def run_job(job: Job, *, where: str) -> JobResult:
    """Run `job`, retrying the sandbox's own failures; return a result that is the job's own.

    `where` names the question file for messages. Tries 1 + len(RETRY_PAUSES_S) times in all
    (inside `someone_waiting`, a job no slot took in time is not tried again). Raises
    `SandboxFailure` when the sandbox is unreachable or failed every try, and
    `QuestionRunError` when an argument cannot be sent (the question's data is not plain).
    """
    waiting = _someone_waiting.get()
    queue_timeout_s = INTERACTIVE_QUEUE_TIMEOUT_S if waiting else QUEUE_TIMEOUT_S
    problem = ""
    for attempt, pause_s in enumerate((0.0, *RETRY_PAUSES_S)):
        if pause_s:
            time.sleep(pause_s)
        try:
            result = get_client(interactive=waiting).run(job, queue_timeout_s=queue_timeout_s)
        except SandboxUnavailable as exc:
            problem = f"the sandbox could not be reached: {exc}"
            if waiting:
                break
        except CodecError as exc:
            raise QuestionRunError(f"{where}: a job argument cannot be sent: {exc}") from None
        else:
            if result.status not in INFRASTRUCTURE_STATUSES:
                return result
            detail = result.error.message if result.error is not None else "no detail"
            problem = f"the sandbox failed to run the job ({result.status}: {detail})"
        logger.warning("%s: try %d of %d: %s", where, attempt + 1, len(RETRY_PAUSES_S) + 1, problem)
    raise SandboxFailure(f"{where}: {problem}")

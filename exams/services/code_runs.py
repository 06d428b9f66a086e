"""Running a code part's visible tests on draft source."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

import grader
import question_engine
from exams.bank_bridge import definition_from_version
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Question,
)
from exams.services.attempts import attempt_check_open
from exams.services.variant_artefacts import variant_author_runs_ensure
from exams.services.variants import attempt_variant_ready
from question_engine.errors import SandboxFailure
from question_engine.sandbox_jobs import someone_waiting

logger = logging.getLogger(__name__)


def code_visible_tests_run(
    *,
    attempt: Attempt,
    student: AbstractBaseUser,
    label: str,
    source: Any,
    question: Question | None = None,
) -> grader.PartResult:
    """Run a code part's visible tests on draft source: nothing stored, no attempt used.

    Raises ApplicationError: 403/400 for someone else's or a closed attempt, a part that is
    not code or unreadable source; 503 `tests_unavailable` when the sandbox failed (after the
    retries of `question_engine.sandbox_jobs.run_job`), 503 `question_failed` when the
    question's own code did; 409 `variant_preparing` / `variant_failed` (not built).
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only run tests in your own attempts.", code="not_your_attempt", status=403
        )
    attempt_check_open(attempt=attempt)
    if not isinstance(source, str):
        raise ApplicationError("The source must be text (a JSON string).", code="invalid_source")
    variant = attempt_variant_ready(attempt=attempt, question=question)
    part = variant.version.parts.filter(label=label).first()
    if part is None or part.kind != "code":
        raise ApplicationError(f"Part '{label}' is not a code part of this question.")
    definition = definition_from_version(variant.version)
    problems = grader.check_format(definition.part_specs(), {label: source})
    if label in problems:
        raise ApplicationError(
            f"part {label}: {problems[label]}",
            code="invalid_source",
            details={
                "parts": {label: problems[label]},
                "error_lines": grader.code_error_lines(definition.part_specs(), {label: source}),
            },
        )
    try:
        with someone_waiting():
            authors = variant_author_runs_ensure(variant=variant)
            return question_engine.run_visible_tests(
                definition, label, variant.params, source, authors.get(label)
            )
    except SandboxFailure as exc:
        logger.warning("Visible tests of %s part %s: the sandbox failed: %s", variant, label, exc)
        raise ApplicationError(
            "The tests could not be run right now because the code-running service is busy "
            "or restarting (not because of your code). Nothing was used up; please try again "
            "in a minute.",
            code="tests_unavailable",
            status=503,
        ) from exc
    except question_engine.BankError as exc:
        logger.error("Visible tests of %s part %s: the question failed: %s", variant, label, exc)
        raise ApplicationError(
            "The tests could not be run because of a fault in the question itself, not in "
            "your code. Nothing was used up; please tell your instructor.",
            code="question_failed",
            status=503,
        ) from exc

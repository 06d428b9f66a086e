"""Running a code part's visible tests on draft source."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

import grader
import question_engine
from exams.bank_bridge import definition_from_version
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Question,
)
from exams.services.variants import attempt_variant

logger = logging.getLogger(__name__)


def code_visible_tests_run(
    *,
    attempt: Attempt,
    student: AbstractBaseUser,
    label: str,
    source: Any,
    question: Question | None = None,
) -> grader.PartResult:
    """Run a code part's visible tests on draft source: nothing stored, no attempt used."""
    if attempt.student_id != student.pk:
        raise ApplicationError("You can only run tests in your own attempts.", status=403)
    if attempt.is_closed(timezone.now()):
        raise ApplicationError("This attempt is closed.", code="attempt_closed")
    if not isinstance(source, str):
        raise ApplicationError("The source must be text (a JSON string).", code="invalid_source")
    variant = attempt_variant(attempt=attempt, question=question)
    part = variant.version.parts.filter(label=label).first()
    if part is None or part.kind != "code":
        raise ApplicationError(f"Part '{label}' is not a code part of this question.")
    definition = definition_from_version(variant.version)
    problems = grader.check_format(definition.part_specs(), {label: source})
    if label in problems:
        raise ApplicationError(
            f"part {label}: {problems[label]}",
            code="invalid_source",
            details={"parts": {label: problems[label]}},
        )
    try:
        return question_engine.run_visible_tests(definition, label, variant.params, source)
    except question_engine.BankError as exc:
        logger.error("Visible tests of %s part %s failed to run: %s", variant, label, exc)
        raise ApplicationError(
            "The tests could not be run right now; please try again in a minute.",
            code="tests_unavailable",
            status=503,
        ) from exc

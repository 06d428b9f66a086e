"""Submissions: accepting answers, grading them once, recording our failures."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

import grader
from exams.bank_bridge import definition_from_version
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Question,
    Submission,
    Variant,
)
from exams.services.variants import attempt_variant
from exams.variant_marking import variant_answers_mark

logger = logging.getLogger(__name__)


def _answers_cleaned(*, variant: Variant, answers: Any) -> dict[str, str]:
    if not isinstance(answers, dict):
        raise ApplicationError(
            "Answers must be a JSON object mapping part labels to answer text.",
            code="invalid_answers",
        )
    labels = [part.label for part in variant.version.parts.all()]
    unknown = sorted(set(answers) - set(labels))
    if unknown:
        raise ApplicationError(
            f"Unknown part label(s) {', '.join(unknown)}; this question has parts "
            f"{', '.join(labels)}.",
            code="invalid_answers",
            details={"parts": {label: "no such part" for label in unknown}},
        )
    not_text = sorted(label for label, value in answers.items() if not isinstance(value, str))
    if not_text:
        raise ApplicationError(
            'Each answer must be text (a JSON string), e.g. "0.81" or "[1, 2, 3]".',
            code="invalid_answers",
            details={"parts": {label: "answer must be a string" for label in not_text}},
        )
    return {label: answers.get(label, "") for label in labels}


def submission_create(
    *, attempt: Attempt, student: AbstractBaseUser, answers: Any, question: Question | None = None
) -> Submission:
    """Validate the answers' format, store the submission as pending, grade it after commit."""
    if attempt.student_id != student.pk:
        raise ApplicationError("You can only submit to your own attempts.", status=403)
    if attempt.is_closed(timezone.now()):
        raise ApplicationError(
            "This attempt is closed (finished or past its time limit); start a new one to "
            "answer again.",
            code="attempt_closed",
        )
    variant = attempt_variant(attempt=attempt, question=question)
    cleaned = _answers_cleaned(variant=variant, answers=answers)
    definition = definition_from_version(variant.version)
    problems = grader.check_format(definition.part_specs(), cleaned)
    if problems:
        described = "; ".join(f"part {label}: {message}" for label, message in problems.items())
        raise ApplicationError(
            f"Some answers could not be read, so nothing was submitted ({described}).",
            code="invalid_answers",
            details={"parts": problems},
        )
    with transaction.atomic():
        submission = Submission.objects.create(
            attempt=attempt,
            variant=variant,
            student=student,
            answers=cleaned,
            max_score=Decimal(str(variant.version.max_score)),
        )
        transaction.on_commit(lambda: _enqueue_grading(submission.pk))
    return submission


def _enqueue_grading(submission_id: int) -> None:
    from exams.tasks import grade_submission

    try:
        grade_submission.delay(submission_id)
    except Exception:
        logger.exception(
            "Could not enqueue submission %s; the requeue sweep will pick it up", submission_id
        )


def submission_grade(*, submission_id: int) -> Submission:
    """Mark a submission once; a second run of the same task changes nothing."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status in (Submission.Status.GRADED, Submission.Status.ERROR):
            return submission
        submission.status = Submission.Status.GRADING
        submission.grading_started_at = timezone.now()
        submission.lease_expires_at = submission.grading_started_at + timedelta(
            seconds=settings.GRADING_STALE_AFTER_S
        )
        submission.grading_runs += 1
        submission.save(
            update_fields=["status", "grading_started_at", "lease_expires_at", "grading_runs"]
        )

    variant = submission.variant
    result = variant_answers_mark(
        definition=definition_from_version(variant.version),
        params=variant.params,
        reference=variant.reference,
        answers=submission.answers,
    )

    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == Submission.Status.GRADED:
            return submission
        submission.status = Submission.Status.GRADED
        submission.score = Decimal(str(round(result.score, 3)))
        submission.max_score = Decimal(str(round(result.max_score, 3)))
        submission.feedback = result.as_dict()["parts"]
        submission.graded_at = timezone.now()
        submission.save(update_fields=["status", "score", "max_score", "feedback", "graded_at"])
    return submission


def submission_mark_failed(*, submission_id: int, message: str) -> None:
    """Record that grading failed for a reason outside the student's answers."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == Submission.Status.GRADED:
            return
        submission.status = Submission.Status.ERROR
        submission.error_message = message
        submission.save(update_fields=["status", "error_message"])


def submissions_requeue_stale(*, pending_after_s: int, grading_after_s: int) -> list[int]:
    """Re-enqueue submissions whose queue message was lost or whose worker died mid-way."""
    now = timezone.now()
    stale = Submission.objects.filter(
        status=Submission.Status.PENDING, created_at__lt=now - timedelta(seconds=pending_after_s)
    ) | Submission.objects.filter(
        status=Submission.Status.GRADING,
        grading_started_at__lt=now - timedelta(seconds=grading_after_s),
    )
    ids = list(stale.values_list("pk", flat=True))
    for submission_id in ids:
        _enqueue_grading(submission_id)
    return ids

"""Hand-built submissions for the results tests: any status, score, answers and feedback."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from exams import services
from exams.models import Attempt, Course, Submission


def part(
    score: float,
    status: str,
    *,
    max_score: float = 1.0,
    mistakes: tuple[str, ...] = (),
    details: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """One part's stored feedback, shaped as grader.PartResult.as_dict() stores it."""
    return {
        "score": score,
        "max_score": max_score,
        "status": status,
        "feedback": f"{status} answer",
        "matched": None,
        "mistakes": list(mistakes),
        "details": list(details),
    }


def question_attempt(course: Course, student: Any) -> Attempt:
    """A practice attempt at the course's (demo) question, with its variant drawn."""
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    services.attempt_variant(attempt=attempt)
    return attempt


def submit(
    attempt: Attempt,
    *,
    answers: dict[str, str],
    feedback: dict[str, dict[str, Any]] | None = None,
    status: str = Submission.Status.GRADED,
    at: datetime | None = None,
    marking_s: float = 1.0,
    question: Any = None,
) -> Submission:
    """Store a submission to `attempt` as the worker would have left it (no marking runs)."""
    variant = services.attempt_variant(attempt=attempt, question=question)
    feedback = feedback or {}
    graded = status == Submission.Status.GRADED
    submission = Submission.objects.create(
        attempt=attempt,
        variant=variant,
        student=attempt.student,
        answers=answers,
        status=status,
        score=Decimal(str(sum(p["score"] for p in feedback.values()))) if graded else None,
        max_score=Decimal("2"),
        feedback=feedback if graded else {},
        failure=Submission.Failure.INFRASTRUCTURE if status == Submission.Status.ERROR else "",
        lease_expires_at=timezone.now() if status == Submission.Status.GRADING else None,
        graded_at=timezone.now() if graded else None,
    )
    created = at or submission.created_at
    Submission.objects.filter(pk=submission.pk).update(
        created_at=created,
        graded_at=created + timedelta(seconds=marking_s) if graded else None,
    )
    submission.refresh_from_db()
    return submission

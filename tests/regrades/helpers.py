"""Helpers of the regrade/export tests: answer the demo question and mark it in-process."""

from __future__ import annotations

from exams import services
from exams.models import Attempt, Question, Submission


def answer_and_mark(
    *, attempt: Attempt, student: object, question: Question, y_right: bool, loss_right: bool
) -> Submission:
    """Submit the demo question's two parts (each right or wrong) and mark it now."""
    variant = services.attempt_variant(attempt=attempt, question=question)
    exact = variant.reference["exact"]
    answers = {
        "y": f"{exact['y']:.2f}" if y_right else "123456",
        "loss": f"{exact['loss']:.2f}" if loss_right else "123456",
    }
    submission = services.submission_create(
        attempt=attempt,
        student=student,
        answers=answers,
        question=question if attempt.paper_id else None,
    )
    return services.submission_grade(submission_id=submission.pk)

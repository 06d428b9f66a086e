"""Helpers of the regrade/export tests: answer the demo question and mark it in-process."""

from __future__ import annotations

from exams import services
from exams.models import Attempt, Question, Submission, Variant


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


def fix_question_target(submission: Submission) -> None:
    """'Fix' the demo question for this submission's variant: its target d was off by one, so
    the right loss (part (b)) is different now; (a) is unaffected."""
    variant = submission.variant
    params = {**variant.params, "d": variant.params["d"] + 1}
    y = variant.reference["exact"]["y"]
    loss = (params["d"] - y) ** 2
    reference = {
        "exact": {"y": y, "loss": loss},
        "rounded": {"y": variant.reference["rounded"]["y"], "loss": round(loss, 2)},
    }
    Variant.objects.filter(pk=variant.pk).update(params=params, reference=reference)

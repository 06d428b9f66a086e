"""Building a student's history through the services, as the worker would mark it."""

from __future__ import annotations

from exams import services
from exams.models import Attempt, Question, Submission


def answered(
    attempt: Attempt, student, question: Question, *, right: int = 2, grade: bool = True
) -> Submission:
    """Submit answers to the demo question (`right` of its two 1-mark parts correct) and mark
    them with the worker's marking code unless `grade` is False (left pending)."""
    variant = services.attempt_variant(attempt=attempt, question=question)
    exact = variant.reference["exact"]
    answers = {
        label: f"{value if index < right else value + 5:.2f}"
        for index, (label, value) in enumerate(sorted(exact.items(), key=lambda kv: kv[0] != "y"))
    }
    submission = services.submission_create(
        attempt=attempt, student=student, answers=answers, question=question
    )
    return services.submission_grade(submission_id=submission.pk) if grade else submission

"""Grading a stored submission: the worker's service, run directly against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services
from exams.errors import ApplicationError
from exams.models import Submission


def _submit(course, student, answers_for):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    variant = services.attempt_variant(attempt=attempt)
    answers = answers_for(variant.reference["exact"])
    return services.submission_create(attempt=attempt, student=student, answers=answers)


@pytest.mark.django_db
def test_correct_answers_get_full_marks(course, student):
    submission = _submit(course, student, lambda ref: {k: f"{v:.2f}" for k, v in ref.items()})
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED
    assert float(graded.score) == float(graded.max_score) == 2.0
    assert {fb["status"] for fb in graded.feedback.values()} == {"correct"}


@pytest.mark.django_db
def test_wrong_answer_loses_that_parts_marks_only(course, student):
    submission = _submit(
        course, student, lambda ref: {"y": f"{ref['y']:.2f}", "loss": f"{ref['loss'] + 7:.2f}"}
    )
    graded = services.submission_grade(submission_id=submission.pk)
    assert float(graded.score) == 1.0
    assert graded.feedback["y"]["status"] == "correct"
    assert graded.feedback["loss"]["status"] == "incorrect"


@pytest.mark.django_db
def test_grading_twice_gives_one_result(course, student):
    submission = _submit(course, student, lambda ref: {k: f"{v:.2f}" for k, v in ref.items()})
    first = services.submission_grade(submission_id=submission.pk)
    second = services.submission_grade(submission_id=submission.pk)
    assert second.graded_at == first.graded_at
    assert second.score == first.score
    assert second.grading_runs == 1


@pytest.mark.django_db
def test_a_submission_left_in_grading_by_a_dead_worker_is_requeued_and_graded(course, student):
    submission = _submit(course, student, lambda ref: {k: f"{v:.2f}" for k, v in ref.items()})
    assert services.submission_claim(submission_id=submission.pk, worker="dead-worker")
    Submission.objects.filter(pk=submission.pk).update(
        lease_expires_at=timezone.now() - timedelta(minutes=55)
    )
    requeued = services.submissions_requeue_stale()
    assert requeued == [submission.pk]
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED
    assert graded.grading_runs == 2


@pytest.mark.django_db
def test_format_errors_are_refused_before_anything_is_stored(course, student):
    with pytest.raises(ApplicationError) as caught:
        _submit(course, student, lambda ref: {"y": "", "loss": "1e400"})
    assert set(caught.value.details["parts"]) == {"loss"}
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_finished_attempts_take_no_more_submissions(course, student):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    attempt.finished_at = timezone.now()
    attempt.save()
    with pytest.raises(ApplicationError, match="closed.*start a new attempt"):
        services.submission_create(attempt=attempt, student=student, answers={})

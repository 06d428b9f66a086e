"""`submission_marked` is sent once per stored mark, after commit, and a failing receiver
never undoes the mark."""

from __future__ import annotations

import pytest

from exams import services
from exams.models import Submission
from exams.signals import submission_marked


def _submit(course, student):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    variant = services.attempt_variant(attempt=attempt)
    answers = {k: f"{v:.2f}" for k, v in variant.reference["exact"].items()}
    return services.submission_create(attempt=attempt, student=student, answers=answers)


@pytest.fixture
def heard():
    seen: list[tuple[int, str]] = []

    def listen(sender, submission, **kwargs):
        seen.append((submission.pk, submission.status))

    submission_marked.connect(listen, dispatch_uid="test-listen")
    yield seen
    submission_marked.disconnect(dispatch_uid="test-listen")


@pytest.mark.django_db(transaction=True)
def test_marking_sends_the_signal_once_with_the_graded_row(course, student, heard):
    submission = _submit(course, student)
    services.submission_grade(submission_id=submission.pk)
    services.submission_grade(submission_id=submission.pk)
    assert heard == [(submission.pk, Submission.Status.GRADED)]


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_lease_sends_nothing(course, student, heard):
    submission = _submit(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="slow")
    Submission.objects.filter(pk=submission.pk).update(lease_owner="fresh")
    services.submission_mark(submission_id=submission.pk, worker="slow")
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_leaves_the_mark_stored(course, student, heard, caplog):
    def broken(sender, submission, **kwargs):
        raise RuntimeError("receiver down")

    submission_marked.connect(broken, dispatch_uid="test-broken")
    try:
        submission = _submit(course, student)
        graded = services.submission_grade(submission_id=submission.pk)
    finally:
        submission_marked.disconnect(dispatch_uid="test-broken")
    assert graded.status == Submission.Status.GRADED
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.GRADED
    assert heard == [(submission.pk, Submission.Status.GRADED)]
    assert "follow-up" in caplog.text and "receiver down" in caplog.text

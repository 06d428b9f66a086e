"""Score passback (AGS): what is posted to the line item, when, and what happens on failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as dj_settings
from django.utils import timezone

import question_engine
from exams import services as exam_services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question, Submission
from lti_grades import receivers, services
from lti_grades.models import ScorePassback
from tests.lti.platform.services import SCORE_TYPE


def mark(attempt: Attempt, student, *, y: bool = True, loss: bool = True) -> Submission:
    """Submit answers to the demo question (each part right or wrong) and mark them here."""
    question = attempt.paper.questions.get() if attempt.paper_id else None
    exact = exam_services.attempt_variant(attempt=attempt, question=question).reference["exact"]
    answers = {
        "y": f"{exact['y']:.2f}" if y else "123456",
        "loss": f"{exact['loss']:.2f}" if loss else "123456",
    }
    submission = exam_services.submission_create(
        attempt=attempt, student=student, answers=answers, question=question
    )
    graded = exam_services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED, graded.error_message
    return graded


def refresh(attempt: Attempt, capture) -> tuple[list[ScorePassback], list]:
    """Refresh the attempt's passbacks; the send callbacks are captured, not run."""
    with capture() as callbacks:
        rows = services.attempt_passbacks_refresh(attempt_id=attempt.pk)
    return rows, callbacks


def test_marked_score_is_posted_with_the_ags_fields(
    link, launched_attempt, student, django_capture_on_commit_callbacks
):
    mark(launched_attempt, student, loss=False)
    (row,), queued = refresh(launched_attempt, django_capture_on_commit_callbacks)
    assert row.status == ScorePassback.Status.PENDING and len(queued) == 1

    sent = services.passback_send(passback_id=row.pk)

    assert sent.status == ScorePassback.Status.SENT and sent.error == ""
    (received,) = link.services.scores
    assert received.line_item == link.line_item.url and received.content_type == SCORE_TYPE
    body = received.body
    assert body["userId"] == "learner-1"
    assert body["scoreGiven"] == 1.0 and body["scoreMaximum"] == 2.0
    assert body["activityProgress"] == "Submitted"
    assert body["gradingProgress"] == "FullyGraded"
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    assert sent.sent_payload == body and sent.tries == 1
    granted = [r for r in link.services.token_requests if r["outcome"] == "granted"]
    assert len(granted) == 1 and "lti-ags/scope/score" in granted[0]["scope"]


def test_unchanged_score_is_not_posted_again_and_a_changed_one_is_later(
    link, launched_attempt, student, django_capture_on_commit_callbacks
):
    mark(launched_attempt, student, loss=False)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)
    services.passback_send(passback_id=row.pk)

    mark(launched_attempt, student, loss=False)  # the same score again
    (again,), queued = refresh(launched_attempt, django_capture_on_commit_callbacks)

    assert queued == [] and again.status == ScorePassback.Status.SENT
    assert services.passback_send(passback_id=row.pk).status == ScorePassback.Status.SENT
    assert len(link.services.scores) == 1

    mark(launched_attempt, student)  # now both parts right
    (changed,), queued = refresh(launched_attempt, django_capture_on_commit_callbacks)
    assert changed.status == ScorePassback.Status.PENDING and len(queued) == 1
    services.passback_send(passback_id=row.pk)

    first, second = link.services.scores_for(link.line_item.url, "learner-1")
    assert second["scoreGiven"] == 2.0
    assert datetime.fromisoformat(second["timestamp"]) > datetime.fromisoformat(first["timestamp"])
    # One token for both sends: it is cached until it expires.
    assert [r["outcome"] for r in link.services.token_requests] == ["granted"]


def test_server_error_is_retried_after_a_pause_then_recorded_as_sent(
    link, launched_attempt, student, django_capture_on_commit_callbacks, settings
):
    settings.LTI_PASSBACK_BACKOFF_S = [30.0]
    link.services.score_failures = [500]
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks() as retry:
        failed = services.passback_send(passback_id=row.pk)

    assert failed.status == ScorePassback.Status.RETRYING and failed.tries == 1
    assert failed.error_status == 500 and "simulated failure 500" in failed.error
    assert failed.next_try_at > timezone.now() + timedelta(seconds=20)
    assert len(retry) == 1 and link.services.scores == []
    # Not due yet: a stray task sends nothing.
    assert services.passback_send(passback_id=row.pk).status == ScorePassback.Status.RETRYING

    ScorePassback.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
    sent = services.passback_send(passback_id=row.pk)

    assert sent.status == ScorePassback.Status.SENT and sent.tries == 2 and sent.error == ""
    assert len(link.services.scores) == 1


def test_retries_end_in_failed_after_the_last_try(
    link, launched_attempt, student, django_capture_on_commit_callbacks, settings
):
    settings.LTI_PASSBACK_TRIES = 2
    link.services.score_failures = [503, 503]
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks():
        services.passback_send(passback_id=row.pk)
        ScorePassback.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
        failed = services.passback_send(passback_id=row.pk)

    assert failed.status == ScorePassback.Status.FAILED and failed.tries == 2
    assert failed.next_try_at is None and "503" in failed.error


def test_a_refusal_fails_at_once_and_is_not_retried(
    link, launched_attempt, student, django_capture_on_commit_callbacks
):
    link.services.score_failures = [400]
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks() as retry:
        failed = services.passback_send(passback_id=row.pk)

    assert failed.status == ScorePassback.Status.FAILED and retry == []
    assert failed.error_status == 400


def test_tool_signed_by_a_key_the_platform_does_not_know_is_refused(
    link, launched_attempt, student, django_capture_on_commit_callbacks
):
    link.services.tool_jwks = {"keys": []}  # the platform was given another JWKS
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)

    failed = services.passback_send(passback_id=row.pk)

    assert failed.status == ScorePassback.Status.FAILED and failed.error_status == 401
    assert "invalid_client" in failed.error and link.services.scores == []


def test_receiver_queues_a_refresh_only_for_attempts_launched_from_a_line_item(
    link,
    launched_attempt,
    student,
    other_student,
    course,
    demo_question,
    django_capture_on_commit_callbacks,
):
    submission = mark(launched_attempt, student)
    with django_capture_on_commit_callbacks() as queued:
        receivers.on_submission_marked(Submission, submission=submission)
    assert len(queued) == 1

    plain = exam_services.attempt_start_question(
        student=other_student, course=course, question=demo_question
    )
    plain_submission = mark(plain, other_student)
    with django_capture_on_commit_callbacks() as queued:
        receivers.on_submission_marked(Submission, submission=plain_submission)
    assert queued == []


@pytest.mark.parametrize("finish", [True, False])
def test_exam_score_is_held_until_the_sitting_closes(
    link, course, student, make_paper, django_capture_on_commit_callbacks, finish
):
    paper = make_paper(minutes=30)
    attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="exam")
    link.launch(attempt, link.lti_user(student, "learner-1"))
    mark(attempt, student)

    (row,), queued = refresh(attempt, django_capture_on_commit_callbacks)
    assert row.status == ScorePassback.Status.HELD and queued == []

    if finish:
        with django_capture_on_commit_callbacks(execute=False) as finished:
            exam_services.attempt_finish(attempt=attempt, student=student)
        assert len(finished) == 1  # the receiver queued a refresh
        (row,), queued = refresh(attempt, django_capture_on_commit_callbacks)
    else:  # the time ran out: the sweep sends it
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=timezone.now() - timedelta(minutes=31)
        )
        with django_capture_on_commit_callbacks() as queued:
            services.passbacks_sweep()
    assert len(queued) == 1
    sent = services.passback_send(passback_id=row.pk)

    assert sent.status == ScorePassback.Status.SENT
    (body,) = link.services.scores_for(link.line_item.url)
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert body["scoreGiven"] == 2.0 and body["scoreMaximum"] == 2.0


MANUAL_SLUG = "seed001-q9-convergence-rates"  # part "derivation" is free text


def test_a_part_awaiting_manual_marking_posts_pending_manual(
    link, course, student, django_capture_on_commit_callbacks
):
    question_sync(definition=question_engine.load_question(dj_settings.BANK_ROOT / MANUAL_SLUG))
    question = Question.objects.get(slug=MANUAL_SLUG)
    course.questions.add(question)
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=question
    )
    link.launch(attempt, link.lti_user(student, "learner-1"))
    exact = exam_services.attempt_variant(attempt=attempt).reference["exact"]
    answers = {
        "derivation": "x <- (I - eta A) x, so the rate is max |1 - eta lambda_i|.",
        "eta_opt": f"{exact['eta_opt']:.3g}",
        "rate_gd": "5",
        "steps_ratio": "5",
    }
    submission = exam_services.submission_create(attempt=attempt, student=student, answers=answers)
    graded = exam_services.submission_grade(submission_id=submission.pk)
    assert graded.feedback["derivation"]["status"] == "needs_manual"

    (row,), _ = refresh(attempt, django_capture_on_commit_callbacks)
    services.passback_send(passback_id=row.pk)

    (body,) = link.services.scores_for(link.line_item.url, "learner-1")
    assert body["gradingProgress"] == "PendingManual"
    assert body["scoreGiven"] == 3.0 and body["scoreMaximum"] == float(graded.max_score)


def test_sweep_requeues_lost_sends_and_takes_over_a_dead_sender(
    link, launched_attempt, student, django_capture_on_commit_callbacks
):
    mark(launched_attempt, student)
    (row,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)  # task "lost"
    later = timezone.now() + timedelta(minutes=2)

    with django_capture_on_commit_callbacks() as queued:
        assert services.passbacks_sweep() == []  # not overdue yet
        assert services.passbacks_sweep(now=later) == [row.pk]

    assert len(queued) == 1
    ScorePassback.objects.filter(pk=row.pk).update(
        status=ScorePassback.Status.SENDING, sending_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks():
        services.passbacks_sweep()

    assert ScorePassback.objects.get(pk=row.pk).status == ScorePassback.Status.PENDING
    assert services.passback_send(passback_id=row.pk).status == ScorePassback.Status.SENT


def test_a_new_variant_attempt_after_a_launch_goes_to_the_same_column(
    link, launched_attempt, student, course, demo_question, django_capture_on_commit_callbacks
):
    mark(launched_attempt, student, loss=False)
    (first,), _ = refresh(launched_attempt, django_capture_on_commit_callbacks)
    services.passback_send(passback_id=first.pk)
    fresh = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )  # "Try a new variant": not opened from a launch
    submission = mark(fresh, student)

    with django_capture_on_commit_callbacks() as queued:
        receivers.on_submission_marked(Submission, submission=submission)
    (row,), _ = refresh(fresh, django_capture_on_commit_callbacks)
    services.passback_send(passback_id=row.pk)

    assert len(queued) == 1 and row.pk == first.pk and row.attempt == fresh
    assert [s["scoreGiven"] for s in link.services.scores_for(link.line_item.url)] == [1.0, 2.0]


def test_timestamps_are_sent_to_the_millisecond_and_always_later():
    last = datetime(2026, 1, 1, 12, 0, 0, 500, tzinfo=UTC)

    same_ms = services._next_timestamp(last, last.replace(microsecond=900))
    later = services._next_timestamp(last, last + timedelta(seconds=1))

    assert same_ms == datetime(2026, 1, 1, 12, 0, 0, 1500, tzinfo=UTC)
    assert later == datetime(2026, 1, 1, 12, 0, 1, tzinfo=UTC)
    assert services._next_timestamp(None, last) == last.replace(microsecond=0)

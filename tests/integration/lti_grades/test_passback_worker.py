"""LTI grade passback on the real stack: a real Celery worker marks a submission, and its
follow-up task posts the score to the simulated platform's line item (served in this process),
after getting a token with a client assertion the platform verifies against the tool's JWKS."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from exams import services as exam_services
from exams.models import Submission
from lti_grades.models import ScorePassback

WITHIN_S = 90


def wait_for(condition, what: str):
    deadline = time.monotonic() + WITHIN_S
    while time.monotonic() < deadline:
        outcome = condition()
        if outcome:
            return outcome
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WITHIN_S} s")


def submit(attempt, student) -> Submission:
    exact = exam_services.attempt_variant(attempt=attempt).reference["exact"]
    answers = {"y": f"{exact['y']:.2f}", "loss": "123456"}
    return exam_services.submission_create(attempt=attempt, student=student, answers=answers)


@pytest.mark.integration
@pytest.mark.slow
def test_worker_marks_and_the_score_reaches_the_line_item_once(
    start_worker, link, launched_attempt, student
):
    link.services.score_failures = [500]  # the platform fails once, then recovers
    start_worker(env={"LTI_PASSBACK_BACKOFF_S": "0.5"})

    first = submit(launched_attempt, student)
    (body,) = wait_for(
        lambda: link.services.scores_for(link.line_item.url), "a score at the platform"
    )

    assert Submission.objects.get(pk=first.pk).status == Submission.Status.GRADED
    assert body["userId"] == "learner-1"
    assert body["scoreGiven"] == 1.0 and body["scoreMaximum"] == 2.0
    assert body["activityProgress"] == "Submitted" and body["gradingProgress"] == "FullyGraded"
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    row = wait_for(
        lambda: ScorePassback.objects.filter(status=ScorePassback.Status.SENT).first(),
        "the passback recorded as sent",
    )
    assert row.tries == 2 and row.error == "" and row.sent_payload == body  # 500, then sent
    assert [r["outcome"] for r in link.services.token_requests] == ["granted"]

    second = submit(launched_attempt, student)  # the same score again
    wait_for(
        lambda: (
            Submission.objects.get(pk=second.pk).status == Submission.Status.GRADED
            and ScorePassback.objects.get(pk=row.pk).updated_at > row.updated_at
        ),
        "the second marking's passback refresh",
    )

    assert len(link.services.scores) == 1
    assert ScorePassback.objects.get(pk=row.pk).status == ScorePassback.Status.SENT

"""Time up on the real stack: no browser, the beat sweep in a real Celery worker submits the
sitting's saved answers, the worker marks them, and the marks are shown once it has closed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from autosave.models import SittingClosure
from exams.models import Attempt, Submission
from tests.variant_wait import built_variant

CLOSED_WITHIN_S = 60


@pytest.mark.integration
@pytest.mark.slow
def test_the_server_submits_a_sitting_at_time_up(
    start_worker, course, student, demo_question, make_paper, api_for, settings
):
    settings.EXAM_GRACE_SECONDS = 1
    start_worker(env={"EXAM_GRACE_SECONDS": "1", "EXAM_AUTOSUBMIT_SWEEP_EVERY_S": "1"}, beat=True)
    paper = make_paper("One-minute exam", minutes=1)
    api = api_for(student)
    started = api.post(
        f"/api/v1/courses/{course.slug}/attempts/",
        {"paper": paper.slug, "mode": "exam"},
        format="json",
    )
    assert started.status_code == 201, started.json()
    attempt = Attempt.objects.get(pk=started.json()["id"])
    exact = built_variant(attempt=attempt, question=demo_question).reference["exact"]
    saved = api.put(
        f"/api/v1/attempts/{attempt.pk}/drafts/demo-linear-neuron/",
        {"answers": {"y": f"{exact['y']:.2f}", "loss": "not a number"}},
        format="json",
    )
    assert saved.status_code == 200 and set(saved.json()["format_problems"]) == {"loss"}
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=1, seconds=2)
    )

    deadline = time.monotonic() + CLOSED_WITHIN_S
    while time.monotonic() < deadline:
        submission = Submission.objects.filter(attempt=attempt, status="graded").first()
        if submission is not None:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the sitting was not submitted and marked by the server in time")

    attempt.refresh_from_db()
    assert SittingClosure.objects.get(attempt=attempt).by == SittingClosure.By.TIMER
    assert attempt.finished_at == attempt.deadline
    assert submission.feedback["y"]["status"] == "correct"
    assert submission.feedback["loss"]["status"] == "format_error"
    marks = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert marks["score"] == 1.0
    late = api.put(
        f"/api/v1/attempts/{attempt.pk}/drafts/demo-linear-neuron/",
        {"answers": {"loss": "1"}},
        format="json",
    )
    assert late.status_code == 400 and late.json()["error"]["code"] == "attempt_closed"
    assert Submission.objects.filter(attempt=attempt).count() == 1

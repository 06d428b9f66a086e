"""An LMS's script on the real stack: a course key enrols a student, starts a paper attempt for
them, submits (twice, one Idempotency-Key), the worker marks it, marks show it, and a regrade
goes through the grading queue and is marked again."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from exams import services
from exams.models import Attempt, Submission
from tests.variant_wait import built_variant

MARKED_WITHIN_S = 60


def _wait_until_marked(submission_id: int, after_runs: int) -> Submission:
    deadline = time.monotonic() + MARKED_WITHIN_S
    while time.monotonic() < deadline:
        row = Submission.objects.get(pk=submission_id)
        if row.status == Submission.Status.GRADED and row.grading_runs > after_runs:
            return row
        time.sleep(0.2)
    pytest.fail(f"submission {submission_id} not marked within {MARKED_WITHIN_S} s: {row.status}")


@pytest.mark.integration
@pytest.mark.slow
def test_a_key_scripts_roster_attempt_idempotent_submission_marks_and_regrade(
    celery_worker, course, course_key, key_client, demo_question
):
    lms = key_client(course_key[1])
    paper = services.paper_create(
        course=course,
        title="Final",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(demo_question, Decimal("4"))],
    )
    enrolled = lms.put(
        "/api/v1/courses/nndl/enrolments/canvas-77/", {"role": "student"}, format="json"
    )
    assert enrolled.status_code == 201
    attempt = lms.post(
        "/api/v1/courses/nndl/attempts/",
        {"paper": paper.slug, "student": "canvas-77"},
        format="json",
    ).json()
    variant = built_variant(attempt=Attempt.objects.get(pk=attempt["id"]), question=demo_question)
    body = {
        "question": demo_question.slug,
        "answers": {"y": f"{variant.reference['exact']['y']:.4f}", "loss": "123456"},
    }
    first = lms.post(attempt["submissions_url"], body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = lms.post(attempt["submissions_url"], body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    marked = _wait_until_marked(first.json()["id"], after_runs=0)
    (mark,) = lms.get("/api/v1/courses/nndl/marks/?student=canvas-77").json()["results"]
    assert mark["score"] == 2.0 and mark["max_score"] == 4.0  # one of two parts right
    regrade = lms.post("/api/v1/courses/nndl/regrade/", {"paper": paper.slug}, format="json")
    assert regrade.json() == {
        "queued": 1,
        "skipped_in_progress": 0,
        "submission_ids": [marked.pk],
    }
    remarked = _wait_until_marked(marked.pk, after_runs=marked.grading_runs)
    assert remarked.score == marked.score and remarked.graded_at > marked.graded_at
    assert Submission.objects.count() == 1

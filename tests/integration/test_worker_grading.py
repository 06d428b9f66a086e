"""End to end on the real stack: API → database → Redis → Celery worker → graded."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from exams.models import Attempt, Submission
from tests.variant_wait import built_variant

GRADED_WITHIN_S = 60


def _wait_for_final_status(api: APIClient, status_url: str) -> dict:
    deadline = time.monotonic() + GRADED_WITHIN_S
    while time.monotonic() < deadline:
        body = api.get(status_url).json()
        if body["status"] in ("graded", "error"):
            return body
        time.sleep(0.2)
    pytest.fail(f"submission not graded within {GRADED_WITHIN_S} s: {body}")


@pytest.mark.integration
def test_submission_posted_over_the_api_is_graded_by_the_worker(celery_worker, course, student):
    api = APIClient()
    api.force_authenticate(student)
    attempt = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
    assert attempt.status_code == 201
    attempt_id = attempt.json()["id"]
    reference = built_variant(attempt=Attempt.objects.get(pk=attempt_id)).reference
    answers = {"y": f"{reference['exact']['y']:.2f}", "loss": "123456"}

    accepted = api.post(
        f"/api/v1/attempts/{attempt_id}/submissions/", {"answers": answers}, format="json"
    )
    assert accepted.status_code == 202

    result = _wait_for_final_status(api, accepted.json()["status_url"])
    assert result["status"] == "graded"
    assert result["score"] == 1.0 and result["max_score"] == 2.0
    assert result["feedback"]["y"]["status"] == "correct"
    assert result["feedback"]["loss"]["status"] == "incorrect"
    assert "solution_html" not in result and result["solution_status"] == "on_request"
    shown = api.post(f"/api/v1/attempts/{attempt_id}/solution/", {}, format="json")
    assert shown.status_code == 200 and shown.json()["solution_html"]
    assert Submission.objects.get().grading_runs == 1

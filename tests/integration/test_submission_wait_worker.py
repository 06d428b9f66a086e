"""A request waiting for a mark (`?wait=`) is woken by the real worker process's announcement on
the real Redis, not by re-reading the row (which this test puts off for an hour)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from exams import submission_events

WAIT_S = 60


@pytest.mark.integration
@pytest.mark.slow
def test_the_workers_announcement_ends_the_wait(
    start_worker, broker, settings, monkeypatch, course, student
):
    settings.SUBMISSION_EVENTS_REDIS_URL = broker
    settings.SUBMISSION_WAIT_MAX_S = WAIT_S
    monkeypatch.setattr(submission_events, "RECHECK_S", 3600.0)
    api = APIClient()
    api.force_authenticate(student)
    attempt = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
    accepted = api.post(
        f"/api/v1/attempts/{attempt.json()['id']}/submissions/",
        {"answers": {"y": "1", "loss": "2"}},
        format="json",
    )
    assert accepted.status_code == 202
    outcome: dict = {}

    def wait_for_the_mark() -> None:
        started = time.monotonic()
        try:
            outcome["response"] = api.get(accepted.json()["status_url"] + f"?wait={WAIT_S}")
            outcome["elapsed"] = time.monotonic() - started
        finally:
            connection.close()

    waiter = threading.Thread(target=wait_for_the_mark)
    waiter.start()
    # The request waits on a pending submission; only now does a worker start to mark it.
    time.sleep(1)
    assert waiter.is_alive()
    start_worker()
    waiter.join(WAIT_S + 10)
    response = outcome["response"]
    assert response.status_code == 200 and response.json()["status"] == "graded"
    assert outcome["elapsed"] < WAIT_S - 5

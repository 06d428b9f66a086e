"""`GET /api/v1/submissions/<id>/?wait=<s>`: a long poll for the mark, on the real database.

A pending submission is marked by another thread (`services.submission_grade`, the worker's
own code) while the request waits; with the real Redis of tests/integration (`broker`) the
announcement wakes the request, without Redis it reads the row again every
SUBMISSION_WAIT_POLL_S. Waits are bounded by what the request asks, so a test that waits too
long fails instead of hanging.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.db import connection

from exams import services, submission_events
from exams.models import Submission
from tests.integration.conftest import broker, redis_url  # noqa: F401  (real Redis fixtures)

WAIT_S = 20


def _submit(course, student) -> Submission:
    question = course.questions.get(slug="demo-linear-neuron")
    attempt = services.attempt_start_question(student=student, course=course, question=question)
    exact = services.attempt_variant(attempt=attempt).reference["exact"]
    answers = {label: f"{value:.4f}" for label, value in exact.items()}
    return services.submission_create(attempt=attempt, student=student, answers=answers)


def _mark_later(submission_id: int, delay_s: float = 0.5) -> threading.Thread:
    """Marks the submission in another thread (its own database connection) after `delay_s`."""

    def run() -> None:
        time.sleep(delay_s)
        try:
            services.submission_grade(submission_id=submission_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _timed_get(client, url: str) -> tuple[float, object]:  # noqa: ANN001
    started = time.monotonic()
    response = client.get(url)
    return time.monotonic() - started, response


def _dead_redis_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


@pytest.fixture
def wait_settings(settings):
    settings.SUBMISSION_WAIT_MAX_S = 30.0
    settings.SUBMISSION_WAIT_POLL_S = 0.2
    settings.SUBMISSION_EVENTS_REDIS_URL = ""
    return settings


@pytest.mark.django_db
def test_a_marked_submission_is_answered_at_once(wait_settings, course, student, api_for):
    submission = _submit(course, student)
    services.submission_grade(submission_id=submission.pk)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "graded" and response.json()["awaiting_marking"] is False
    assert elapsed < WAIT_S / 2


@pytest.mark.django_db
def test_a_wait_that_ends_answers_the_pending_state_in_the_usual_shape(
    wait_settings, course, student, api_for
):
    submission = _submit(course, student)
    api = api_for(student)
    plain = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    elapsed, response = _timed_get(api, f"/api/v1/submissions/{submission.pk}/?wait=0.6")
    assert response.status_code == 200
    assert response.json() == plain
    assert plain["status"] == "pending" and plain["awaiting_marking"] is True
    assert elapsed >= 0.6


@pytest.mark.django_db
def test_a_wait_longer_than_the_cap_waits_the_cap(wait_settings, course, student, api_for):
    wait_settings.SUBMISSION_WAIT_MAX_S = 0.5
    submission = _submit(course, student)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait=3600"
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert 0.5 <= elapsed < 30


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_pending_submission_is_answered_once_marked(
    wait_settings, course, student, api_for
):
    submission = _submit(course, student)
    marker = _mark_later(submission.pk)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    )
    marker.join()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "graded" and body["score"] == body["max_score"]
    assert elapsed < WAIT_S / 2


@pytest.mark.django_db(transaction=True)
def test_with_redis_the_announcement_wakes_the_waiting_request(
    wait_settings,
    broker,  # noqa: F811
    monkeypatch,
    course,
    student,
    api_for,
):
    wait_settings.SUBMISSION_EVENTS_REDIS_URL = broker
    # Only the announcement (or the end of the wait) can end this wait early.
    monkeypatch.setattr(submission_events, "RECHECK_S", 3600.0)
    submission = _submit(course, student)
    marker = _mark_later(submission.pk)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    )
    marker.join()
    assert response.status_code == 200 and response.json()["status"] == "graded"
    assert elapsed < WAIT_S / 2


@pytest.mark.django_db(transaction=True)
def test_a_redis_that_is_down_costs_nothing_but_the_announcement(
    wait_settings, course, student, api_for
):
    wait_settings.SUBMISSION_EVENTS_REDIS_URL = _dead_redis_url()
    submission = _submit(course, student)
    marker = _mark_later(submission.pk)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    )
    marker.join()
    assert response.status_code == 200 and response.json()["status"] == "graded"
    assert elapsed < WAIT_S / 2


@pytest.mark.django_db
def test_a_submission_in_error_waits_until_it_changes_and_a_question_fault_does_not_wait(
    wait_settings, course, student, api_for
):
    submission = _submit(course, student)
    api = api_for(student)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.ERROR, failure=Submission.Failure.INFRASTRUCTURE
    )
    elapsed, response = _timed_get(api, f"/api/v1/submissions/{submission.pk}/?wait=0.6")
    assert response.json()["status"] == "error" and response.json()["awaiting_marking"] is True
    assert elapsed >= 0.6
    Submission.objects.filter(pk=submission.pk).update(failure=Submission.Failure.QUESTION)
    elapsed, response = _timed_get(api, f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}")
    assert response.json()["awaiting_marking"] is False
    assert elapsed < WAIT_S / 2


@pytest.mark.django_db
def test_others_are_refused_at_once_as_without_wait(
    wait_settings, course, student, other_student, instructor, course_key, key_client, api_for
):
    submission = _submit(course, student)
    url = f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    elapsed, response = _timed_get(api_for(other_student), url)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert elapsed < WAIT_S / 2
    services.submission_grade(submission_id=submission.pk)
    assert api_for(instructor).get(url).status_code == 200
    _row, key = course_key
    assert key_client(key).get(url).json()["status"] == "graded"


@pytest.mark.django_db
@pytest.mark.parametrize("wait", ["soon", "-1", "nan", "inf", "", "1e999"])
def test_a_wait_that_is_not_a_number_of_seconds_is_a_400_saying_so(
    wait_settings, course, student, api_for, wait
):
    submission = _submit(course, student)
    response = api_for(student).get(f"/api/v1/submissions/{submission.pk}/", {"wait": wait})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_query" and "wait" in error["message"]


def test_an_announcement_that_cannot_be_sent_never_raises(settings):
    settings.SUBMISSION_EVENTS_REDIS_URL = _dead_redis_url()
    submission_events.submission_changed_publish(submission_id=1)


@pytest.mark.django_db
def test_beyond_the_waits_a_process_allows_a_request_is_answered_at_once(
    wait_settings, course, student, api_for
):
    wait_settings.SUBMISSION_WAITS_PER_PROCESS = 0
    submission = _submit(course, student)
    elapsed, response = _timed_get(
        api_for(student), f"/api/v1/submissions/{submission.pk}/?wait={WAIT_S}"
    )
    assert response.status_code == 200 and response.json()["status"] == "pending"
    assert elapsed < WAIT_S / 2

"""The database briefly unavailable (docs/grading.md, "Faults"): clear 503s, workers retry.

"Unavailable" is real: another SQLite connection holds the write lock (BEGIN EXCLUSIVE) past
this process's busy timeout (shortened for the test), so Django's writes fail with the
database's own "database is locked" error. Nothing is mocked.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from exams import services, tasks
from exams.models import Attempt, Submission

BUSY_TIMEOUT_S = 0.3


@pytest.fixture
def short_busy_timeout(transactional_db, monkeypatch):
    """This process's SQLite connections give up on a held lock after BUSY_TIMEOUT_S."""
    if connection.vendor != "sqlite":
        pytest.skip("the lock is SQLite's")
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", BUSY_TIMEOUT_S)
    connection.close()
    yield
    connection.close()


@contextmanager
def database_locked() -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=10)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_api_write_while_the_database_is_locked_is_a_503_and_works_after(
    short_busy_timeout, course, student
):
    api = APIClient()
    api.force_authenticate(student)
    with database_locked():
        refused = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    error = refused.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "try again in a few seconds" in error["message"]
    assert error["details"] == {"retry_after_s": 5}
    assert not Attempt.objects.exists()

    accepted = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
    assert accepted.status_code == 201, accepted.content


def test_a_page_while_the_database_is_locked_is_a_plain_503_page(
    short_busy_timeout, course, student, client
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    client.force_login(student)
    with database_locked():
        refused = client.post(
            f"/attempts/{attempt.pk}/submit/",
            {"question": "demo-linear-neuron", "answer_y": "1", "answer_loss": "2"},
        )
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert refused["Content-Type"].startswith("text/html")
    assert b"briefly unavailable" in refused.content
    assert not Submission.objects.exists()


def test_the_grading_task_retries_through_a_locked_database_and_marks_once(
    short_busy_timeout, course, student
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    submission = services.submission_create(
        attempt=attempt, student=student, answers={"y": "1", "loss": "2"}
    )
    released = threading.Event()

    def hold_then_release() -> None:
        with database_locked():
            locked.set()
            released.wait(1.0)

    locked = threading.Event()
    holder = threading.Thread(target=hold_then_release)
    holder.start()
    locked.wait()
    result = tasks.grade_submission.apply(args=(submission.pk,))
    holder.join()

    assert result.get() == "graded"
    row = Submission.objects.get(pk=submission.pk)
    assert row.status == "graded" and row.grading_runs == 1


def test_an_outage_met_outside_a_view_reaches_the_500_handler_which_answers_503(
    short_busy_timeout, settings, course, student
):
    """Django's 500 handler answers a database outage that no view hook saw (one met in a
    middleware) with the same 503: shown here with the view hook taken out."""
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("DatabaseUnavailableMiddleware")
    ]
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    browser = Client(raise_request_exception=False)
    browser.force_login(student)
    with database_locked():
        page = browser.post(
            f"/attempts/{attempt.pk}/submit/",
            {"question": "demo-linear-neuron", "answer_y": "1", "answer_loss": "2"},
        )
        api = browser.post(
            "/api/v1/attempts/", {"question": "demo-linear-neuron"}, content_type="application/json"
        )
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert b"briefly unavailable" in page.content
    assert (api.status_code, api.json()["error"]["code"]) == (503, "database_unavailable")

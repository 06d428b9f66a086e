"""The figures behind /metrics, read from the database."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from exams.models import Submission
from operations import selectors
from tests.results.world import question_attempt, submit

WINDOW_S = 900


def test_counts_by_status_and_failure_list_every_value(course, student):
    attempt = question_attempt(course, student)
    for status in ("graded", "graded", "pending", "error"):
        submit(attempt, answers={}, status=status)
    assert selectors.submission_counts_by_status() == {
        "pending": 1,
        "grading": 0,
        "graded": 2,
        "error": 1,
    }
    assert selectors.submission_failure_counts() == {"infrastructure": 1, "question": 0}


def test_marking_latency_counts_submissions_made_in_the_window(course, student):
    attempt = question_attempt(course, student)
    for seconds in (0.02, 0.3, 4.0):
        submit(attempt, answers={}, marking_s=seconds)
    # Made before the window and marked again lately (a regrade): not a student's wait.
    submit(attempt, answers={}, at=timezone.now() - timedelta(hours=2), marking_s=7150)
    submit(attempt, answers={}, status="pending")

    histogram = selectors.marking_latency_histogram(window_s=WINDOW_S)

    assert histogram.count == 3
    assert abs(histogram.sum_s - 4.32) < 1e-6
    by_bound = dict(zip(histogram.bounds, histogram.cumulative, strict=True))
    assert by_bound[0.025] == 1
    assert by_bound[0.25] == 1
    assert by_bound[0.5] == 2
    assert by_bound[2.5] == 2
    assert by_bound[5.0] == 3
    assert list(histogram.cumulative) == sorted(histogram.cumulative)


def test_oldest_unmarked_submission_age(course, student):
    assert selectors.oldest_unmarked_submission_age_s() == 0.0
    attempt = question_attempt(course, student)
    submit(attempt, answers={}, status="pending", at=timezone.now() - timedelta(seconds=90))
    submit(attempt, answers={}, status="graded", at=timezone.now() - timedelta(hours=1))
    assert 90 <= selectors.oldest_unmarked_submission_age_s() < 120


def test_passback_and_webhook_counts_list_every_status(db):
    assert selectors.lti_passback_counts_by_status()["failed"] == 0
    assert set(selectors.webhook_delivery_counts_by_status()) == {"pending", "succeeded", "failed"}
    assert Submission.objects.count() == 0

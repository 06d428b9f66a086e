"""Leases renewed while marking, and the outbox of unsent grading messages (docs/grading.md,
"Faults"), on the real database, a real Redis and a broker address where nothing listens."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone

from config import queues
from config.celery import app as celery_app
from exams import services
from exams.models import Submission
from tests.integration.conftest import _free_port, _reset_producer_pool


@pytest.fixture
def short_leases(settings):
    settings.GRADING_LEASE_S = 1.0
    settings.GRADING_HEARTBEAT_S = 0.2
    return settings


def _submission(course, student) -> Submission:
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    return services.submission_create(
        attempt=attempt, student=student, answers={"y": "1", "loss": "2"}
    )


@pytest.fixture
def broker_down(monkeypatch):
    """This process's Celery producer points at a port where nothing listens."""
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
    _reset_producer_pool()
    yield
    _reset_producer_pool()


def _queued(redis_url: str, queue: str) -> int:
    return redis.Redis.from_url(redis_url).llen(queue)


def test_a_marking_that_runs_long_keeps_its_lease_and_a_dead_one_loses_it(
    transactional_db, short_leases, course, student
):
    submission = _submission(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="w1")
    with services.lease_heartbeat(submission_id=submission.pk, worker="w1"):
        time.sleep(2.5)
        assert services.submissions_requeue_stale() == []
        row = Submission.objects.get(pk=submission.pk)
        assert row.status == "grading" and row.lease_expires_at > timezone.now()
    time.sleep(1.2)
    assert services.submissions_requeue_stale() == [submission.pk]
    assert Submission.objects.get(pk=submission.pk).status == "pending"


def test_the_heartbeat_stops_once_the_lease_is_taken_over(
    transactional_db, short_leases, course, student
):
    submission = _submission(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="w1")
    with services.lease_heartbeat(submission_id=submission.pk, worker="w1"):
        far = timezone.now() + timedelta(hours=1)
        Submission.objects.filter(pk=submission.pk).update(lease_owner="w2", lease_expires_at=far)
        time.sleep(0.6)
        row = Submission.objects.get(pk=submission.pk)
    assert (row.lease_owner, row.lease_expires_at) == ("w2", far)


def test_a_submission_the_broker_did_not_take_is_relayed_once_it_answers(
    transactional_db, broker_down, redis_url, monkeypatch, course, student
):
    submission = _submission(course, student)
    row = Submission.objects.get(pk=submission.pk)
    assert row.send_pending and row.status == "pending"
    later = timezone.now() + timedelta(seconds=5)
    assert services.submissions_relay_outbox(now=later) == []
    assert Submission.objects.get(pk=submission.pk).send_pending

    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)
    _reset_producer_pool()
    waiting = _queued(redis_url, queues.MARKING)
    assert services.submissions_relay_outbox(now=timezone.now()) == []
    assert services.submissions_relay_outbox(now=later + timedelta(seconds=5)) == [submission.pk]
    assert _queued(redis_url, queues.MARKING) == waiting + 1
    assert not Submission.objects.get(pk=submission.pk).send_pending
    assert services.submissions_relay_outbox(now=later + timedelta(seconds=10)) == []


def test_a_submission_sent_at_once_leaves_nothing_in_the_outbox(
    transactional_db, broker, course, student
):
    submission = _submission(course, student)
    assert not Submission.objects.get(pk=submission.pk).send_pending


def test_the_relay_command_has_a_single_pass_mode(
    transactional_db, broker, course, student, capsys
):
    submission = _submission(course, student)
    Submission.objects.filter(pk=submission.pk).update(
        send_pending=True, enqueued_at=timezone.now() - timedelta(seconds=5)
    )
    call_command("relay_outbox", "--once")
    assert capsys.readouterr().out.strip() == f"sent 1: [{submission.pk}]"
    assert not Submission.objects.get(pk=submission.pk).send_pending

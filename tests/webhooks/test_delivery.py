"""Deliveries: created on marking, POSTed signed to a real receiver on 127.0.0.1, retried with
backoff, never sent twice, never to a private address unless allowed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from exams import services as exam_services
from exams.models import Membership, Submission
from exams.signals import submission_marked
from tests.webhooks.receiver import Reply, verify
from webhooks import services
from webhooks.models import WebhookDelivery
from webhooks.tasks import send_delivery, send_due_deliveries

pytestmark = pytest.mark.django_db


def _deliveries_for(marked, django_capture_on_commit_callbacks):
    """Create the marking's deliveries; returns them and the enqueue callbacks they registered."""
    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = services.deliveries_create_for_marking(submission=marked)
    return deliveries, callbacks


def test_the_marking_signal_creates_one_delivery_per_active_endpoint(
    course, endpoint, make_receiver, marked, django_capture_on_commit_callbacks
):
    off = services.webhook_endpoint_create(course=course, url=make_receiver().url())
    services.webhook_endpoint_update(endpoint=off, is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        submission_marked.send(sender=Submission, submission=marked)
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint and delivery.submission == marked
    assert delivery.status == "pending" and delivery.attempts == 0
    assert delivery.message_id.startswith("msg_") and delivery.event_type == "submission.marked"
    assert len(callbacks) == 1, "one send task, enqueued after commit"


def test_the_payload_names_the_mark_and_never_the_answers(
    course, student, endpoint, marked, django_capture_on_commit_callbacks
):
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    payload = delivery.payload
    assert payload["type"] == "submission.marked" and payload["timestamp"]
    data = payload["data"]
    assert data["course"] == "nndl" and data["question"] == "demo-linear-neuron"
    assert data["attempt"]["id"] == marked.attempt_id and data["attempt"]["paper"] is None
    assert data["submission"] == {
        "id": marked.pk,
        "status": "graded",
        "score": 1.0,
        "max_score": 2.0,
        "graded_at": marked.graded_at.isoformat(),
    }
    assert data["student"] == {"id": student.pk, "external_id": None}
    assert data["paper_score"] is None
    text = json.dumps(payload)
    assert "answers" not in text and "123456" not in text and "feedback" not in text
    for value in marked.variant.reference["exact"].values():
        assert f"{value:.2f}" not in text


def test_the_student_is_named_by_the_lms_external_id_when_enrolled_with_one(
    course, student, endpoint, marked, django_capture_on_commit_callbacks
):
    Membership.objects.filter(course=course, user=student).update(external_id="s1234567")
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    assert delivery.payload["data"]["student"] == {"id": student.pk, "external_id": "s1234567"}


def test_a_paper_attempt_carries_the_paper_score(
    course, student, endpoint, make_paper, django_capture_on_commit_callbacks
):
    paper = make_paper(minutes=None)
    attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="practice")
    question = course.questions.get()
    variant = exam_services.attempt_variant(attempt=attempt, question=question)
    answers = {k: f"{v:.2f}" for k, v in variant.reference["exact"].items()}
    submission = exam_services.submission_create(
        attempt=attempt, student=student, answers=answers, question=question
    )
    graded = exam_services.submission_grade(submission_id=submission.pk)
    (delivery,), _ = _deliveries_for(graded, django_capture_on_commit_callbacks)
    data = delivery.payload["data"]
    assert data["attempt"]["paper"] == paper.slug
    assert data["paper_score"] == {"score": 2.0, "max_score": 2.0}


def test_a_delivery_is_posted_signed_and_succeeds_on_2xx(
    endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    assert send_delivery(delivery.pk) == "succeeded"
    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.message_id
    assert verify(secret=endpoint.secret, headers=request.headers, body=request.body)
    assert json.loads(request.body) == delivery.payload
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_response_status == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    (attempt,) = delivery.attempt_log.all()
    assert attempt.succeeded and attempt.response_status == 200 and attempt.response_excerpt == "ok"


def test_a_duplicate_task_does_not_send_a_succeeded_delivery_again(
    endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    assert send_delivery(delivery.pk) == "succeeded"
    assert send_delivery(delivery.pk) == "succeeded"
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_500_is_retried_after_the_backoff_and_then_succeeds(
    course, make_receiver, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    receiver = make_receiver([Reply(500, b"busy")])
    endpoint = services.webhook_endpoint_create(course=course, url=receiver.url())
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as retries:
        assert send_delivery(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_response_status == 500
    assert delivery.last_error == "HTTP 500" and delivery.last_response_excerpt == "busy"
    assert delivery.next_attempt_at - delivery.updated_at == timedelta(seconds=10)
    assert len(retries) == 1, "the retry task is enqueued with the pause as countdown"
    assert send_delivery(delivery.pk) == "pending", "not due yet: nothing is sent"
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert send_delivery(delivery.pk) == "succeeded"
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert verify(secret=endpoint.secret, headers=second.headers, body=second.body)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error == ""
    assert [(a.number, a.response_status, a.succeeded) for a in delivery.attempt_log.all()] == [
        (1, 500, False),
        (2, 200, True),
    ]


def test_a_delivery_fails_once_its_attempts_are_used_up(
    course, make_receiver, settings, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_BACKOFF_S = [0.0]
    receiver = make_receiver([Reply(503), Reply(503)])
    services.webhook_endpoint_create(course=course, url=receiver.url())
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    assert delivery.max_attempts == 2
    with django_capture_on_commit_callbacks():
        assert send_delivery(delivery.pk) == "pending"
        assert send_delivery(delivery.pk) == "failed"
        assert send_delivery(delivery.pk) == "failed"
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at is None
    assert delivery.last_error == "HTTP 503"


def test_redirects_are_not_followed(
    course, make_receiver, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    receiver = make_receiver([Reply(302, b"", (("Location", "/elsewhere"),))])
    services.webhook_endpoint_create(course=course, url=receiver.url())
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        assert send_delivery(delivery.pk) == "pending"
    assert [r.path for r in receiver.requests] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.last_response_status == 302
    assert "redirects are not followed" in delivery.last_error


def test_no_answer_within_the_timeout_is_a_failed_attempt(
    course, make_receiver, settings, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_S = 0.2
    receiver = make_receiver([Reply(200, delay_s=2.0)])
    services.webhook_endpoint_create(course=course, url=receiver.url())
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        assert send_delivery(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_response_status is None
    assert "timed out" in delivery.last_error or "no complete answer" in delivery.last_error


def test_an_answer_dripping_in_is_cut_off(
    course, make_receiver, settings, loopback_allowed, marked, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_S = 0.5
    receiver = make_receiver([Reply(200, drip_s=0.02)])
    services.webhook_endpoint_create(course=course, url=receiver.url())
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        assert send_delivery(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("no complete answer within 1 s")


def test_a_private_address_is_refused_without_the_setting(
    endpoint, receiver, settings, marked, django_capture_on_commit_callbacks
):
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    assert send_delivery(delivery.pk) == "failed"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Refused: The URL's address 127.0.0.1 is not a public")


def test_a_name_resolving_to_loopback_is_refused(
    course, receiver, loopback_allowed, settings, marked, django_capture_on_commit_callbacks
):
    services.webhook_endpoint_create(course=course, url=f"http://localhost:{receiver.port}/")
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    assert send_delivery(delivery.pk) == "failed"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Refused: The URL points at this machine (localhost)")


def test_the_sweep_sends_overdue_deliveries_and_fails_interrupted_last_attempts(
    endpoint, receiver, settings, marked, django_capture_on_commit_callbacks
):
    (lost,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    past = timezone.now() - timedelta(seconds=settings.WEBHOOKS_SWEEP_EVERY_S + 1)
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=past)
    (interrupted,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=interrupted.pk).update(
        attempts=interrupted.max_attempts, sending_until=timezone.now() - timedelta(seconds=1)
    )
    _deliveries_for(marked, django_capture_on_commit_callbacks)  # due now: its task is queued
    with django_capture_on_commit_callbacks() as enqueued:
        assert send_due_deliveries() == 1
    assert len(enqueued) == 1
    interrupted.refresh_from_db()
    assert interrupted.status == "failed" and "interrupted" in interrupted.last_error
    with django_capture_on_commit_callbacks(execute=False):
        assert services.deliveries_send_due() == [lost.pk]


def test_a_queued_delivery_of_a_turned_off_endpoint_fails_unsent(
    endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    (delivery,), _ = _deliveries_for(marked, django_capture_on_commit_callbacks)
    services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
    assert send_delivery(delivery.pk) == "failed"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and "turned off" in delivery.last_error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_at_once_post_it_once(
    course, make_receiver, loopback_allowed, marked
):
    receiver = make_receiver([Reply(200, delay_s=0.5)])
    endpoint = services.webhook_endpoint_create(course=course, url=receiver.url())
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        submission=marked,
        event_type="submission.marked",
        message_id="msg_concurrent",
        payload={"type": "submission.marked", "data": {}},
        max_attempts=1,
        next_attempt_at=timezone.now(),
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(send_delivery(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and "succeeded" in outcomes
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1

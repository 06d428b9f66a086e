"""A score the student may not see yet (open exam sitting; practice on the original numbers
while a sitting showing them is open) is held back from webhooks, and sent to a real receiver
in a follow-up `submission.marked` once the results are visible."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services as exam_services
from exams.models import Attempt, Submission
from webhooks import services
from webhooks.models import WebhookDelivery
from webhooks.tasks import send_delivery, send_due_deliveries

pytestmark = pytest.mark.django_db


def _graded(attempt: Attempt, student, question) -> Submission:
    variant = exam_services.attempt_variant(attempt=attempt, question=question)
    answers = {label: f"{value:.2f}" for label, value in variant.reference["exact"].items()}
    submission = exam_services.submission_create(
        attempt=attempt, student=student, answers=answers, question=question
    )
    return submission


def _mark(submission: Submission, capture) -> WebhookDelivery:
    graded = exam_services.submission_grade(submission_id=submission.pk)
    with capture():
        (delivery,) = services.deliveries_create_for_marking(submission=graded)
    assert send_delivery(delivery.pk) == "succeeded"
    return delivery


def _sweep(capture) -> list[WebhookDelivery]:
    before = set(WebhookDelivery.objects.values_list("pk", flat=True))
    with capture():
        send_due_deliveries()
    return list(WebhookDelivery.objects.exclude(pk__in=before))


def _data(received) -> dict:
    return json.loads(received.body)["data"]


def _assert_hidden(data: dict) -> None:
    assert data["results_visible"] is False
    assert data["submission"]["score"] is None and data["submission"]["max_score"] is None
    assert data["paper_score"] is None


@pytest.mark.parametrize("closes_by", ["finish", "deadline"])
def test_an_exam_score_is_held_until_the_sitting_closes_then_sent(
    course,
    student,
    demo_question,
    make_paper,
    endpoint,
    receiver,
    closes_by,
    django_capture_on_commit_callbacks,
):
    sitting = exam_services.attempt_start_paper(
        student=student, paper=make_paper("Final"), mode="exam"
    )
    held = _mark(_graded(sitting, student, demo_question), django_capture_on_commit_callbacks)
    (first,) = receiver.wait_for(1)
    _assert_hidden(_data(first))
    assert WebhookDelivery.objects.get(pk=held.pk).results_held

    assert _sweep(django_capture_on_commit_callbacks) == [], "nothing while the sitting is open"

    if closes_by == "finish":
        exam_services.attempt_finish(attempt=sitting, student=student)
    else:
        Attempt.objects.filter(pk=sitting.pk).update(
            started_at=timezone.now() - timedelta(minutes=31)
        )
    (released,) = _sweep(django_capture_on_commit_callbacks)
    assert released.endpoint == endpoint and released.submission_id == held.submission_id
    assert released.event_type == "submission.marked"
    assert released.message_id != held.message_id
    assert send_delivery(released.pk) == "succeeded"
    _, second = receiver.wait_for(2)
    data = _data(second)
    assert data["results_visible"] is True
    assert data["submission"]["id"] == held.submission_id
    assert data["submission"]["score"] == 2.0 and data["submission"]["max_score"] == 2.0
    assert data["paper_score"] == {"score": 2.0, "max_score": 2.0}

    assert not WebhookDelivery.objects.get(pk=held.pk).results_held
    assert _sweep(django_capture_on_commit_callbacks) == [], "released once only"


def test_practice_on_the_original_numbers_is_held_while_an_exam_shows_them(
    course,
    student,
    other_student,
    demo_question,
    make_paper,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    original = make_paper("Original", original=True)
    practice = exam_services.attempt_start_paper(
        student=other_student, paper=original, mode="practice"
    )
    answered = _graded(practice, other_student, demo_question)
    sitting = exam_services.attempt_start_paper(student=student, paper=original, mode="exam")

    _mark(answered, django_capture_on_commit_callbacks)
    (first,) = receiver.wait_for(1)
    _assert_hidden(_data(first))
    assert _data(first)["attempt"]["mode"] == "practice"
    assert _sweep(django_capture_on_commit_callbacks) == []

    exam_services.attempt_finish(attempt=sitting, student=student)
    (released,) = _sweep(django_capture_on_commit_callbacks)
    assert send_delivery(released.pk) == "succeeded"
    _, second = receiver.wait_for(2)
    assert _data(second)["results_visible"] is True
    assert _data(second)["submission"]["score"] == 2.0


def test_a_visible_score_is_sent_at_once_and_never_again(
    endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    assert not delivery.results_held
    assert delivery.payload["data"]["results_visible"] is True
    assert delivery.payload["data"]["submission"]["score"] == 1.0
    assert _sweep(django_capture_on_commit_callbacks) == []


def test_a_held_score_of_a_turned_off_endpoint_is_not_sent_later(
    course, student, demo_question, make_paper, endpoint, django_capture_on_commit_callbacks
):
    sitting = exam_services.attempt_start_paper(
        student=student, paper=make_paper("Final"), mode="exam"
    )
    submission = exam_services.submission_grade(
        submission_id=_graded(sitting, student, demo_question).pk
    )
    with django_capture_on_commit_callbacks():
        (held,) = services.deliveries_create_for_marking(submission=submission)
    services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
    exam_services.attempt_finish(attempt=sitting, student=student)
    assert _sweep(django_capture_on_commit_callbacks) == []
    assert not WebhookDelivery.objects.get(pk=held.pk).results_held

"""Webhook fixtures: a real receiver on 127.0.0.1, endpoints, and a marked submission."""

from __future__ import annotations

import pytest

from exams import services as exam_services
from tests.webhooks.receiver import Receiver, Reply
from webhooks import services


@pytest.fixture
def loopback_allowed(settings):
    """The receiver listens on 127.0.0.1: allow private targets, as `make run` does; and a
    known retry schedule (3 attempts, 10 s then 60 s apart) whatever the environment says."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_RETRY_BACKOFF_S = [10.0, 60.0]


@pytest.fixture
def make_receiver():
    """`make_receiver([Reply(500), ...])`: a started receiver, stopped after the test."""
    started: list[Receiver] = []

    def make(replies: list[Reply] | None = None) -> Receiver:
        receiver = Receiver(replies).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(make_receiver) -> Receiver:
    return make_receiver()


@pytest.fixture
def endpoint(course, receiver, loopback_allowed):
    return services.webhook_endpoint_create(course=course, url=receiver.url(), description="LMS")


@pytest.fixture
def marked(course, student):
    """A graded submission of the demo question: `y` right, `loss` wrong (1 of 2 marks)."""
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    variant = exam_services.attempt_variant(attempt=attempt)
    answers = {"y": f"{variant.reference['exact']['y']:.2f}", "loss": "123456"}
    submission = exam_services.submission_create(attempt=attempt, student=student, answers=answers)
    return exam_services.submission_grade(submission_id=submission.pk)

"""Fixtures shared by the Django-side tests: users, a course and the demo question."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Course, Membership, Paper, Question

DEMO_SLUG = "demo-linear-neuron"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


REAL_WORKER_FIXTURES = frozenset({"broker", "celery_worker", "start_worker"})


@pytest.fixture(autouse=True)
def variants_built_on_request(request, monkeypatch):
    """Where no Celery worker runs (unit and service tests), a requested variant is built at
    once by the variants task's own service (`variant_build`), as the worker would build it;
    a sandbox failure leaves it `building`, as the worker's retries would meanwhile.

    Tests with a real worker (`broker`, `celery_worker`, `start_worker`) and tests marked
    `variants_in_background` keep the real path: the build is sent to the variants queue when
    the transaction commits.
    """
    if request.node.get_closest_marker("variants_in_background") or (
        REAL_WORKER_FIXTURES & set(request.fixturenames)
    ):
        yield
        return
    from exams.services import variants as variant_services
    from question_engine.errors import SandboxFailure

    def build_now(*, variant) -> None:  # noqa: ANN001
        with contextlib.suppress(SandboxFailure):
            variant_services.variant_build(variant_id=variant.pk)
        variant.refresh_from_db()

    monkeypatch.setattr(variant_services, "variant_build_request", build_now)
    yield


@pytest.fixture
def make_user(db):
    def make(username: str) -> object:
        return get_user_model().objects.create_user(username=username, password="pw-" + username)

    return make


@pytest.fixture
def student(make_user):
    return make_user("alice")


@pytest.fixture
def other_student(make_user):
    return make_user("bob")


@pytest.fixture
def instructor(make_user):
    return make_user("prof")


@pytest.fixture
def demo_question(db) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / DEMO_SLUG))
    return Question.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def course(db, student, other_student, instructor, demo_question) -> Course:
    course = Course.objects.create(slug="nndl", title="Neural Networks")
    course.questions.add(demo_question)
    Membership.objects.create(course=course, user=student, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=other_student, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=instructor, role=Membership.Role.INSTRUCTOR)
    return course


@pytest.fixture
def api_for():
    def client_for(user) -> APIClient:  # noqa: ANN001
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def make_paper(course, demo_question):
    """Assemble a paper of the course holding the demo question (2 marks).

    `make_paper(title, minutes=30, original=False)`: `minutes=None` for no time limit,
    `original=True` to give every sitting the original exam's numbers.
    """

    def make(
        title: str = "Mock exam", *, minutes: int | None = 30, original: bool = False
    ) -> Paper:
        return services.paper_create(
            course=course,
            title=title,
            time_limit_minutes=minutes,
            use_original_numbers=original,
            items=[(demo_question, Decimal("2"))],
        )

    return make


@pytest.fixture
def course_key(course):
    """A course API key of the `course` fixture: (row, key)."""
    from api_keys import services as api_key_services

    return api_key_services.api_key_create(course=course, name="LMS")


@pytest.fixture
def key_client():
    """`key_client(key)`: an API client sending `Authorization: Api-Key <key>`."""

    def client_for(key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client

    return client_for

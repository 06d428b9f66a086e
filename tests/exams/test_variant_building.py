"""Variants built off the request path: `building` rows, the build task, failures, pages, API."""

from __future__ import annotations

import dataclasses

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

import question_engine
from exams import services, tasks
from exams.bank_sync import question_sync
from exams.models import Attempt, Question, Variant
from question_engine import sandbox_jobs
from question_engine.errors import SandboxFailure

DEMO = "demo-linear-neuron"


@pytest.fixture
def sandbox_jobs_sent(monkeypatch) -> list[object]:
    """Every sandbox job sent from now on, recorded (they still run)."""
    sent: list[object] = []
    real = sandbox_jobs.get_client

    class Recording:
        def __init__(self, **lane) -> None:  # noqa: ANN003
            self.lane = lane

        def run(self, job, **options):  # noqa: ANN001, ANN003, ANN202
            sent.append(job)
            return real(**self.lane).run(job, **options)

    monkeypatch.setattr(sandbox_jobs, "get_client", Recording)
    return sent


@pytest.fixture
def sandbox_down(monkeypatch, tmp_path):
    """No sandbox server listens on SANDBOX_SOCKET; the engine tries once, without pauses."""
    monkeypatch.setenv("SANDBOX_SOCKET", str(tmp_path / "nobody-listens.sock"))
    monkeypatch.setattr(sandbox_jobs, "RETRY_PAUSES_S", ())


def _start_over_api(api_for, student) -> tuple[object, Attempt]:
    response = api_for(student).post("/api/v1/attempts/", {"question": DEMO}, format="json")
    return response, Attempt.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_starting_an_attempt_stores_a_building_variant_and_runs_no_sandbox_job(
    course, student, api_for, client, sandbox_jobs_sent
):
    response, attempt = _start_over_api(api_for, student)

    assert response.status_code == 201
    question = response.json()["questions"][0]
    assert question["variant_status"] == "preparing" and question["variant"] is None
    assert "Preparing your question" in question["variant_message"]
    assert response["Retry-After"] == str(django_settings.VARIANT_RETRY_AFTER_S)
    variant = Variant.objects.get()
    assert variant.state == Variant.State.BUILDING and variant.reference is None
    assert sandbox_jobs_sent == []

    preparing = api_for(student).get(question["variant_url"])
    assert preparing.status_code == 409
    assert preparing.json()["error"]["code"] == "variant_preparing"
    assert preparing["Retry-After"] == str(django_settings.VARIANT_RETRY_AFTER_S)
    refused = api_for(student).post(
        f"/api/v1/attempts/{attempt.pk}/submissions/", {"answers": {"y": "1"}}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "variant_preparing"
    assert attempt.submissions.count() == 0
    client.force_login(student)
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "Preparing your question" in page and "Refresh the page" in page
    assert 'class="statement"' not in page
    assert sandbox_jobs_sent == []

    built = services.variant_build(variant_id=variant.pk)

    assert built.state == Variant.State.READY and built.reference["exact"]
    assert sandbox_jobs_sent
    shown = api_for(student).get(question["variant_url"])
    assert shown.status_code == 200 and shown.json()["statement_md"] == built.statement_md
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "Preparing your question" not in page and 'class="statement"' in page


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_a_second_build_of_a_built_variant_does_nothing(course, student, sandbox_jobs_sent):
    attempt = services.attempt_start_question(
        student=student, course=course, question=Question.objects.get(slug=DEMO)
    )
    variant = Variant.objects.get()
    first = services.variant_build(variant_id=variant.pk)
    jobs = len(sandbox_jobs_sent)

    again = services.variant_build(variant_id=variant.pk)

    assert len(sandbox_jobs_sent) == jobs
    assert again.state == Variant.State.READY and again.params == first.params
    assert services.attempt_variant(attempt=attempt).pk == variant.pk


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_two_builds_of_one_row_store_one_result(course, student):
    services.attempt_start_question(
        student=student, course=course, question=Question.objects.get(slug=DEMO)
    )
    variant = Variant.objects.get()
    data = services.variant_build(variant_id=variant.pk)
    # A second worker that built the same row meanwhile finds it ready and stores nothing.
    Variant.objects.filter(pk=variant.pk).update(statement_md="first worker's")
    assert services.variant_build(variant_id=variant.pk).statement_md == "first worker's"
    assert Variant.objects.count() == 1 and data.state == Variant.State.READY


@pytest.mark.django_db
def test_the_database_refuses_a_ready_variant_without_content(course, demo_question):
    version = demo_question.current_version
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(course=course, version=version, seed=1, state="ready")


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_sandbox_down_leaves_the_variant_building_and_retries_with_backoff(
    course, student, client, sandbox_down, monkeypatch
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=Question.objects.get(slug=DEMO)
    )
    variant = Variant.objects.get()
    with pytest.raises(SandboxFailure):
        services.variant_build(variant_id=variant.pk)
    variant.refresh_from_db()
    assert variant.state == Variant.State.BUILDING and variant.build_error == ""

    pauses: list[float] = []

    def retry(*, exc, countdown):  # noqa: ANN001, ANN202
        pauses.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(tasks.build_variant, "retry", retry)
    with pytest.raises(Retry):
        tasks.build_variant(variant.pk)
    assert pauses == [django_settings.VARIANT_BUILD_RETRY_BACKOFF_S[0]]
    variant.refresh_from_db()
    assert variant.state == Variant.State.BUILDING
    client.force_login(student)
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "Preparing your question" in page and "fault" not in page


@pytest.fixture
def broken_demo(course) -> Question:
    """The demo question as a new version whose generate() raises."""
    definition = question_engine.load_question(django_settings.BANK_ROOT / DEMO)
    code = definition.code.replace(
        "def generate(rng: np.random.Generator) -> dict:\n",
        "def generate(rng: np.random.Generator) -> dict:\n    raise ValueError('no numbers')\n",
    )
    assert code != definition.code
    question_sync(definition=dataclasses.replace(definition, code=code, content_hash="broken"))
    return Question.objects.get(slug=DEMO)


@pytest.mark.django_db
def test_a_fault_in_the_question_code_fails_the_variant_and_everyone_is_told(
    course, student, instructor, broken_demo, api_for, client
):
    response, attempt = _start_over_api(api_for, student)

    variant = Variant.objects.get()
    assert variant.state == Variant.State.FAILED and "no numbers" in variant.build_error
    question = response.json()["questions"][0]
    assert question["variant_status"] == "failed" and question["variant"] is None
    assert "fault in the question itself" in question["variant_message"]
    assert "no numbers" not in response.content.decode()
    shown = api_for(student).get(question["variant_url"])
    assert shown.status_code == 409 and shown.json()["error"]["code"] == "variant_failed"
    client.force_login(student)
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "fault in the question itself" in page and "no numbers" not in page
    client.force_login(instructor)
    listing = client.get(f"/instructor/courses/{course.slug}/variants/").content.decode()
    assert "failed to build" in listing and "no numbers" in listing


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_a_lost_build_message_is_sent_again_when_the_page_looks(
    course, student, client, monkeypatch, settings, django_capture_on_commit_callbacks
):
    sent: list[int] = []
    monkeypatch.setattr(
        "exams.services.variants.variant_build_enqueue",
        lambda *, variant_id: sent.append(variant_id),
    )
    attempt = services.attempt_start_question(
        student=student, course=course, question=Question.objects.get(slug=DEMO)
    )
    variant = Variant.objects.get()
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/attempts/{attempt.pk}/")
    assert sent == []  # sent when it was requested, moments ago

    settings.VARIANT_BUILD_RESEND_S = 0.001
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/attempts/{attempt.pk}/")

    assert sent == [variant.pk]


@pytest.mark.django_db
def test_an_instructor_preview_of_a_broken_question_shows_the_fault(
    course, instructor, broken_demo, client
):
    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/questions/{DEMO}/?seed=3")
    assert page.status_code == 409
    assert "failed to build these numbers" in page.content.decode()
    assert "no numbers" in page.content.decode()

"""Per-student limits: one submission counter for the API and the web form; test runs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

import question_engine
from exams.api.throttles import (
    AttemptStartThrottle,
    SubmissionRateThrottle,
    VisibleTestsRunThrottle,
)
from exams.bank_sync import question_sync
from exams.models import Question, Submission

RATE = "3/day"


@pytest.fixture
def low_rate(monkeypatch):
    monkeypatch.setattr(SubmissionRateThrottle, "rate", RATE, raising=False)


@pytest.fixture
def attempt_id(course, student, api_for) -> int:
    response = api_for(student).post(
        "/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json"
    )
    return response.json()["id"]


def form_submit(client: Client, attempt_id: int, y: str = "0.5"):
    return client.post(
        f"/attempts/{attempt_id}/submit/",
        {"question": "demo-linear-neuron", "answer_y": y, "answer_loss": "0.25"},
        follow=True,
    )


@pytest.mark.django_db
def test_the_form_path_is_throttled_with_a_clear_message_and_keeps_the_answers(
    low_rate, student, attempt_id
):
    client = Client()
    client.force_login(student)
    for _ in range(3):
        assert "Too many submissions" not in form_submit(client, attempt_id).content.decode()
    page = form_submit(client, attempt_id, y="0.777").content.decode()
    assert "Too many submissions in a short time (3/day); nothing was submitted." in page
    assert 'value="0.777"' in page
    assert Submission.objects.count() == 3


@pytest.mark.django_db
def test_api_and_form_share_one_counter(low_rate, student, attempt_id, api_for):
    api = api_for(student)
    url = f"/api/v1/attempts/{attempt_id}/submissions/"
    answers = {"answers": {"y": "0.5", "loss": "0.25"}}
    assert api.post(url, answers, format="json").status_code == 202
    client = Client()
    client.force_login(student)
    form_submit(client, attempt_id)
    assert api.post(url, answers, format="json").status_code == 202
    assert "Too many submissions" in form_submit(client, attempt_id).content.decode()
    refused = api.post(url, answers, format="json")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled" and error["details"]["retry_after_s"] >= 1
    assert refused["Retry-After"] == str(error["details"]["retry_after_s"])
    assert error["message"].startswith("Too many requests in a short time; nothing was done. Wait")
    assert Submission.objects.count() == 3


@pytest.mark.django_db
def test_each_student_has_their_own_limit(low_rate, course, student, other_student, api_for):
    for user in (student, other_student):
        api = api_for(user)
        attempt = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
        url = f"/api/v1/attempts/{attempt.json()['id']}/submissions/"
        codes = [
            api.post(url, {"answers": {"y": "1", "loss": "1"}}, format="json").status_code
            for _ in range(4)
        ]
        assert codes == [202, 202, 202, 429]


def _run_tests_url(course, api) -> str:
    """The run-tests URL of a new code-layer-norm attempt made through `api`."""
    slug = "code-layer-norm"
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
    course.questions.add(Question.objects.get(slug=slug))
    attempt = api.post("/api/v1/attempts/", {"question": slug}, format="json").json()
    return f"/api/v1/attempts/{attempt['id']}/run-tests/"


@pytest.mark.django_db
def test_visible_test_runs_are_limited_per_student(course, student, api_for, monkeypatch):
    monkeypatch.setattr(VisibleTestsRunThrottle, "rate", "1/day", raising=False)
    api = api_for(student)
    url = _run_tests_url(course, api)
    draft = {"part": "impl", "source": "def broken(:"}
    assert api.post(url, draft, format="json").status_code == 400
    refused = api.post(url, draft, format="json")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"


@pytest.mark.django_db
def test_new_attempts_share_one_limit_over_api_and_web(
    course, student, api_for, client, monkeypatch
):
    """Each new attempt builds fresh variants in the sandbox: "Try a new variant" in a loop
    must not be free."""
    monkeypatch.setattr(AttemptStartThrottle, "rate", "2/day", raising=False)
    api = api_for(student)
    assert api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}).status_code == 201
    client.force_login(student)
    new_variant = f"/courses/{course.slug}/questions/demo-linear-neuron/new/"
    assert client.post(new_variant).status_code == 302
    refused_page = client.post(new_variant)
    assert refused_page.status_code == 429
    assert "Too many new attempts" in refused_page.content.decode()
    refused = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"


@pytest.mark.django_db
def test_a_student_runs_one_set_of_visible_tests_at_a_time(course, student, api_for):
    """Ten endless loops at once would hold every sandbox slot while other students wait."""
    api = api_for(student)
    url = _run_tests_url(course, api)
    draft = {"part": "impl", "source": "def broken(:"}
    cache.add(f"visible-tests-running:{student.pk}", 1)  # a run of theirs still going
    busy = api.post(url, draft, format="json")
    assert busy.status_code == 429 and busy.json()["error"]["code"] == "run_in_progress"
    cache.delete(f"visible-tests-running:{student.pk}")
    assert api.post(url, draft, format="json").status_code == 400  # runs again once it ended
    assert api.post(url, draft, format="json").status_code == 400  # and the slot was freed


@pytest.fixture
def cache_down(settings):
    """The default cache is a real Redis cache at a port where nothing listens (Redis stopped)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
        }
    }
    return settings


@pytest.mark.django_db
def test_answers_are_accepted_while_the_cache_is_down(cache_down, student, attempt_id, api_for):
    """The rate limits' counters are in Redis; with Redis stopped a submission is still
    accepted and stored (a 500 lost it before): the limits are skipped, the database's
    per-student limit still counts it."""
    with pytest.raises(Exception):  # noqa: B017 - the cache really is unreachable
        cache.add("probe", 1)
    response = api_for(student).post(
        f"/api/v1/attempts/{attempt_id}/submissions/",
        {"answers": {"y": "0.5", "loss": "0.25"}},
        format="json",
    )
    assert response.status_code == 202, response.content
    client = Client()
    client.force_login(student)
    form_submit(client, attempt_id)
    assert Submission.objects.count() == 2

"""Course API keys: hashed, shown once, revocable, last use recorded, scoped to one course."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from api_keys import services
from api_keys.models import CourseAPIKey
from exams.models import Course


def _key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.mark.django_db
def test_the_key_is_stored_only_as_a_hash(course):
    api_key, key = services.api_key_create(course=course, name="Canvas")
    row = CourseAPIKey.objects.get(pk=api_key.pk)
    assert key not in (row.hashed_key, row.id)
    assert key.split(".", 1)[1] not in row.id
    assert row.prefix == key.split(".", 1)[0]


@pytest.mark.django_db
def test_a_key_lists_only_its_course_and_records_its_last_use(course):
    api_key, key = services.api_key_create(course=course, name="Canvas")
    Course.objects.create(slug="other", title="Other course")
    response = _key_client(key).get("/api/v1/courses/")
    assert response.status_code == 200, response.content
    assert [c["slug"] for c in response.json()] == ["nndl"]
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(course, django_assert_num_queries):
    api_key, key = services.api_key_create(course=course, name="Canvas")
    services.api_key_check(key=key)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        services.api_key_check(key=key)
    CourseAPIKey.objects.filter(pk=api_key.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=2)
    )
    with django_assert_num_queries(2):
        services.api_key_check(key=key)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Api-Key nope.nope", "not valid"),
        ("Api-Key", "one word after the keyword"),
        ("Api-Key a b", "one word after the keyword"),
    ],
)
def test_bad_keys_are_refused_with_a_401_and_a_message(course, header, message):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/courses/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Api-Key")
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert message in error["message"]


@pytest.mark.django_db
def test_a_revoked_key_is_refused_with_a_401_naming_it(course):
    api_key, key = services.api_key_create(course=course, name="Old portal")
    client = _key_client(key)
    assert client.get("/api/v1/courses/").status_code == 200
    services.api_key_revoke(api_key=api_key)
    response = client.get("/api/v1/courses/")
    assert response.status_code == 401
    assert "'Old portal' was revoked" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_an_expired_key_is_refused(course):
    api_key, key = services.api_key_create(course=course, name="Term 1")
    api_key.expiry_date = timezone.now() - timedelta(days=1)
    api_key.save()
    response = _key_client(key).get("/api/v1/courses/")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_key_is_refused_by_endpoints_that_act_as_the_signed_in_student(course, student):
    _, key = services.api_key_create(course=course, name="Canvas")
    response = _key_client(key).post(
        "/api/v1/attempts/1/run-tests/", {"part": "a", "source": ""}, format="json"
    )
    assert response.status_code == 403
    assert "does not take a course API key" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_sessions_and_personal_tokens_keep_working(course, student):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=student)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/courses/").status_code == 200
    session = APIClient()
    session.force_login(student)
    assert session.get("/api/v1/courses/").status_code == 200
    assert APIClient().get("/api/v1/courses/").status_code == 401


@pytest.mark.django_db
def test_the_command_prints_a_working_key_once_and_revokes_it(course, capsys):
    call_command("course_api_key", "create", "--course", "nndl", "--name", "Script")
    out = capsys.readouterr()
    key = out.out.strip()
    assert "shown this once" in out.err
    assert _key_client(key).get("/api/v1/courses/").status_code == 200
    call_command("course_api_key", "list", "--course", "nndl")
    listed = capsys.readouterr().out
    prefix = key.split(".")[0]
    assert prefix in listed and "active" in listed and key not in listed
    call_command("course_api_key", "revoke", prefix)
    assert _key_client(key).get("/api/v1/courses/").status_code == 401


@pytest.mark.django_db
def test_the_admin_shows_a_new_key_once(course, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    client.force_login(admin)
    response = client.post(
        "/admin/api_keys/courseapikey/add/",
        {"name": "Moodle", "course": course.pk},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("The API key for Moodle is:" in m for m in shown), shown
    api_key = CourseAPIKey.objects.get(name="Moodle")
    key = next(m for m in shown if "Moodle" in m).split("is: ")[1].split(".", 2)
    assert _key_client(f"{key[0]}.{key[1]}").get("/api/v1/courses/").status_code == 200
    page = client.get(f"/admin/api_keys/courseapikey/{api_key.pk}/change/")
    assert key[1] not in page.content.decode()

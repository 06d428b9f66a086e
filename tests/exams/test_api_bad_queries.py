"""Odd query parameters on the LMS lists are a 400 saying what to send, never a 500 and never
a silent fallback: `updated_since`, `cursor` and `page_size`."""

from __future__ import annotations

import base64

import pytest

from webhooks.models import WebhookEndpoint


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def lms(course, course_key, key_client):
    return key_client(course_key[1])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-13-45T12:00:00Z", "names no real date"),
        ("9999-12-31T23:59:59-23:59", "outside the years"),
        ("0001-01-01T00:00:00+05:00", "outside the years"),
        ("yesterday", "ISO 8601"),
    ],
)
def test_a_bad_updated_since_is_a_400(lms, value, says):
    response = lms.get("/api/v1/courses/nndl/marks/", {"updated_since": value})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_query" and says in error["message"]


@pytest.mark.django_db
def test_a_good_updated_since_with_an_offset_is_accepted(lms):
    response = lms.get(
        "/api/v1/courses/nndl/marks/", {"updated_since": "2026-09-01T12:00:00+02:00"}
    )
    assert response.status_code == 200, response.content


def _paged_urls(course) -> list[str]:
    endpoint = WebhookEndpoint.objects.create(
        course=course, url="https://lms.example.org/hook", secret="whsec_x"
    )
    return [
        "/api/v1/courses/nndl/attempts/",
        "/api/v1/courses/nndl/marks/",
        f"/api/v1/courses/nndl/webhooks/{endpoint.pk}/deliveries/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", [_cursor("p=x"), _cursor("p=2026"), "garbage", _cursor("o=x")])
def test_a_cursor_the_list_did_not_give_is_a_400(course, lms, cursor):
    for url in _paged_urls(course):
        response = lms.get(url, {"cursor": cursor})
        assert response.status_code == 400, (url, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid_cursor" and "`next`" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["0", "201", "500", "-1", "ten", "²"])
def test_a_page_size_outside_1_to_200_is_a_400(course, lms, size):
    for url in _paged_urls(course):
        response = lms.get(url, {"page_size": size})
        assert response.status_code == 400, (url, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid_query" and "1 to 200" in error["message"]


@pytest.mark.django_db
def test_page_sizes_1_and_200_are_accepted(course, lms):
    for url in _paged_urls(course):
        for size in ("1", "200"):
            assert lms.get(url, {"page_size": size}).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/nndl/attempts/?paper=a%00b",
        "/api/v1/courses/nndl/attempts/?question=a%00b",
        "/api/v1/courses/nndl/marks/?student=a%00b",
        "/api/v1/courses/nndl/attempts/?student=a%00b",
        "/api/v1/courses/nndl/enrolments/a%00b/",
        "/api/v1/courses/nndl/marks/?a%00b=1",
    ],
)
def test_a_nul_character_in_the_url_is_a_400_before_any_query(lms, url):
    """PostgreSQL refuses NUL in text: without this check these are 500s there."""
    response = lms.get(url)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_query" and "NUL character" in error["message"]


@pytest.mark.django_db
def test_a_nul_character_in_a_page_url_is_a_plain_400(client):
    response = client.get("/courses/a%00b/")
    assert response.status_code == 400
    assert b"NUL character" in response.content

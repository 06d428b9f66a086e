"""An API URL without its trailing slash: a write gets a JSON 404 naming the right URL (a 301
would be followed as a GET or lose the body); a read is still redirected."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from exams.models import Attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(student, course) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(student)
    return client


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_without_the_trailing_slash_says_where_to_send_it(api, method):
    response = api.generic(
        method, "/api/v1/attempts?x=1", '{"question": "demo-linear-neuron"}', "application/json"
    )
    assert response.status_code == 404, response.content
    error = response.json()["error"]
    assert error["code"] == "trailing_slash_required"
    assert error["details"] == {"url": "/api/v1/attempts/?x=1"}
    assert f"send this {method} to /api/v1/attempts/?x=1" in error["message"]
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_read_without_the_trailing_slash_is_still_redirected(api, method):
    response = getattr(api, method)("/api/v1/courses")
    assert response.status_code == 301 and response["Location"] == "/api/v1/courses/"


def test_an_unknown_api_url_without_a_slash_is_the_usual_404(api):
    response = api.post("/api/v1/no-such-thing", {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/login", "/lti/launch", "/lti/login"])
def test_a_post_to_a_page_without_its_slash_is_redirected_keeping_method_and_body(api, path):
    """A 308 (not Django's 301): an LMS posting its launch form there keeps the id_token."""
    response = api.post(f"{path}?x=1", {"id_token": "abc"})
    assert response.status_code == 308, response.content
    assert response["Location"] == f"{path}/?x=1"


def test_a_get_of_a_page_without_its_slash_is_still_redirected(api):
    response = api.get("/login")
    assert response.status_code == 301 and response["Location"] == "/login/"

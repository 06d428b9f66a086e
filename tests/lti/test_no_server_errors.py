"""Odd requests to the LTI endpoints (from a security review) get 4xx pages, never a 500."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import DEMO_SLUG
from tests.lti.platform.launch import login_and_launch
from tests.lti.platform.server import LTI


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/lti/login/", {}),
        ("GET", "/lti/login/", {"iss": "https://nope", "login_hint": "x", "target_link_uri": "x"}),
        (
            "GET",
            "/lti/login/",
            {"iss": "{iss}", "login_hint": "x", "target_link_uri": "x", "client_id": "wrong"},
        ),
        (
            "GET",
            "/lti/login/",
            {
                "iss": "{iss}",
                "login_hint": "x",
                "target_link_uri": "javascript:alert(1)",
                "lti1p3_new_window": "1",
            },
        ),
        (
            "GET",
            "/lti/login/00000000-0000-0000-0000-000000000000/",
            {"iss": "{iss}", "login_hint": "x", "target_link_uri": "x"},
        ),
        ("POST", "/lti/launch/", {}),
        ("POST", "/lti/launch/", {"id_token": "a.b.c", "state": "s"}),
        ("POST", "/lti/launch/", {"id_token": "eyJhbGciOiJSUzI1NiJ9.eyJ9.x", "state": "s"}),
        ("POST", "/lti/launch/", {"id_token": "x" * 100000, "state": "s"}),
        ("GET", "/lti/choose/", {}),
        ("POST", "/lti/deep-link/", {}),
    ],
)
def test_odd_lti_requests_are_refused_with_a_page(platform, tool, method, path, data):
    data = {name: value.replace("{iss}", platform.issuer) for name, value in data.items()}
    response = requests.request(
        method,
        tool + path,
        params=data if method == "GET" else None,
        data=data if method == "POST" else None,
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert "<p" in response.text


def test_the_login_always_sends_the_tools_own_launch_url_as_redirect_uri(platform, tool):
    response = requests.get(
        tool + "/lti/login/",
        params={
            "iss": platform.issuer,
            "client_id": platform.client_id,
            "login_hint": "learner-1",
            "target_link_uri": "https://evil.example/steal",
            "lti1p3_new_window": "1",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:300]
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.auth_url
    assert parse_qs(location.query)["redirect_uri"] == [tool + "/lti/launch/"]


@pytest.mark.parametrize(
    "claims",
    [
        {"picture": "https://lms.example/" + "p" * 300},
        {"given_name": "G" * 600},
        {"name": 5, "given_name": None, "family_name": None},
        {"email": "x" * 300 + "@example.edu"},
        {LTI + "context": {"id": "c-long", "title": "T" * 2000, "label": "L" * 2000}},
    ],
    ids=["long picture", "long given name", "number as name", "long email", "long context"],
)
def test_odd_claims_in_a_valid_launch_never_give_a_500(platform, tool, claims):
    outcome = login_and_launch(
        platform, tool, claims={LTI + "custom": {"question": DEMO_SLUG}, **claims}
    )
    assert outcome.response.status_code < 500, outcome.response.text[:300]

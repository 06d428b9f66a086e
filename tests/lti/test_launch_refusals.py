"""Launches the tool must refuse, each with a 4xx page saying what was wrong; nobody is
signed in and no Tensorgrade account, course or membership is made."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from lti_tool.models import LtiDeployment

from exams.models import Course, Membership
from lti.models import LtiContextCourse
from tests.lti.platform.launch import login_and_launch
from tests.lti.platform.server import LTI, REMOVE, make_key


def _nothing_made() -> None:
    assert not get_user_model().objects.exists()
    assert not Membership.objects.exists()
    # only the administrator's link of the `tool` fixture; no course made by the launch
    assert LtiContextCourse.objects.count() == 1
    assert Course.objects.count() == 1


def _not_signed_in(outcome, tool: str) -> None:
    home = outcome.session.get(tool + "/", allow_redirects=False)
    assert home.status_code == 302 and "/login/" in home.headers["Location"]


@pytest.mark.parametrize(
    ("case", "claims", "signing", "expected"),
    [
        ("bad signature", {}, "other key", "Signature verification failed"),
        ("wrong audience", {"aud": "someone-else"}, None, "Registration not found"),
        ("wrong issuer", {"iss": "https://evil.example"}, None, "Registration not found"),
        (
            "expired",
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
            None,
            "Signature has expired",
        ),
        ("missing roles", {LTI + "roles": REMOVE}, None, "Missing Roles Claim"),
        ("no nonce", {"nonce": REMOVE}, None, "nonce&quot; is empty"),
    ],
)
def test_invalid_id_token_is_refused(platform, tool, case, claims, signing, expected):
    key = make_key() if signing == "other key" else None

    outcome = login_and_launch(platform, tool, claims=claims, signing_key=key)

    assert outcome.response.status_code == 400, case
    assert "could not be verified" in outcome.response.text
    assert expected in outcome.response.text, outcome.response.text
    _not_signed_in(outcome, tool)
    _nothing_made()


def test_replayed_launch_is_refused(platform, tool):
    outcome = login_and_launch(platform, tool)
    assert outcome.response.status_code == 200  # the learner is told the link has no target yet

    replay = outcome.replay()

    assert replay.status_code == 400
    assert "already used" in replay.text
    _not_signed_in(outcome, tool)


def test_unknown_deployment_is_refused_until_an_admin_activates_it(platform, tool):
    outcome = login_and_launch(platform, tool, claims={LTI + "deployment_id": "deployment-9"})

    assert outcome.response.status_code == 403
    assert "deployment-9" in outcome.response.text and "is active" in outcome.response.text
    _not_signed_in(outcome, tool)
    _nothing_made()
    assert not LtiDeployment.objects.get(deployment_id="deployment-9").is_active


def test_launch_without_a_recognised_role_is_refused(platform, tool):
    mentor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"

    outcome = login_and_launch(platform, tool, claims={LTI + "roles": [mentor]})

    assert outcome.response.status_code == 403
    assert "neither a learner nor an instructor" in outcome.response.text
    _not_signed_in(outcome, tool)
    _nothing_made()


def test_login_from_an_unregistered_issuer_is_refused(platform, tool):
    outcome = login_and_launch(
        platform, tool, login_params={"iss": "https://unknown.example", "client_id": "x"}
    )

    assert outcome.response.status_code == 400
    assert "https://unknown.example" in outcome.response.text


def test_login_without_its_parameters_is_a_clear_400(client, db):
    response = client.get("/lti/login/")

    assert response.status_code == 400
    assert b"iss, login_hint, target_link_uri" in response.content


def test_launch_url_opened_directly_says_what_it_is(client, db):
    response = client.get("/lti/launch/")

    assert response.status_code == 405
    assert b"receives launches from an LMS" in response.content

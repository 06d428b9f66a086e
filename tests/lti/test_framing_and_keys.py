"""The tool inside an LMS iframe (cookies, framing, the cookie check page) and its keys."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone
from lti_tool.models import Key

from lti.services import lti_role_map
from tests.conftest import DEMO_SLUG
from tests.lti.platform.launch import login_and_launch
from tests.lti.platform.server import INSTRUCTOR, LTI

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps([s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE]))
"""


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("LTI_IFRAME", "TENSORGRADE_HTTPS")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lti_iframe_sends_session_and_csrf_cookies_samesite_none_secure():
    out = _settings_with(LTI_IFRAME="1", TENSORGRADE_HTTPS="1")
    assert json.loads(out.stdout) == ["None", "None", True]
    assert json.loads(_settings_with().stdout) == ["Lax", "Lax", False]


def test_lti_iframe_without_https_is_refused_with_a_message():
    out = _settings_with(LTI_IFRAME="1")
    assert out.returncode != 0
    assert "LTI_IFRAME=1 needs TENSORGRADE_HTTPS=1" in out.stderr


def _frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("frame-ancestors"))


def test_lti_pages_may_be_framed_by_the_platform_and_other_pages_not(platform, tool, settings):
    login = requests.post(
        tool + "/lti/login/",
        data={
            "iss": platform.issuer,
            "login_hint": "x",
            "target_link_uri": tool + "/lti/launch/",
            "client_id": platform.client_id,
        },
    )
    assert "X-Frame-Options" not in login.headers
    assert _frame_ancestors(login) == f"frame-ancestors 'self' {platform.base_url}"
    (script,) = re.findall(r"<script[^>]*>(.*?)</script>", login.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in login.headers["Content-Security-Policy"]

    outcome = login_and_launch(platform, tool, claims={LTI + "custom": {"question": DEMO_SLUG}})
    attempt_page = outcome.session.get(tool + outcome.response.headers["Location"])
    assert attempt_page.status_code == 200
    assert "X-Frame-Options" not in attempt_page.headers
    assert platform.base_url in _frame_ancestors(attempt_page)

    # instructor administration pages of a launched session stay unframeable (clickjacking)
    teacher = login_and_launch(
        platform,
        tool,
        claims={"sub": "teacher-1", LTI + "roles": [INSTRUCTOR]},
    )
    choose = teacher.session.get(tool + "/lti/choose/")
    assert choose.status_code == 200 and "X-Frame-Options" not in choose.headers
    for path in ("/instructor/courses/nn101/", "/instructor/courses/nn101/variants/", "/"):
        page = teacher.session.get(tool + path)
        assert page.status_code == 200, path
        assert page.headers["X-Frame-Options"] == "DENY", path
        assert _frame_ancestors(page) == "frame-ancestors 'none'", path

    plain = requests.get(tool + "/login/")
    assert plain.headers["X-Frame-Options"] == "DENY"
    assert _frame_ancestors(plain) == "frame-ancestors 'none'"


def test_frame_ancestors_setting_adds_origins(platform, tool, settings):
    settings.LTI_FRAME_ANCESTORS = ["https://school.instructure.com"]

    response = requests.get(tool + "/lti/jwks/")

    assert "https://school.instructure.com" in _frame_ancestors(response)


def test_jwks_serves_public_keys_only(client, db):
    response = client.get("/lti/jwks/")

    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert not {"d", "p", "q"} & key.keys()


def test_rotate_keys_adds_a_key_and_retires_old_ones(client, db):
    old_kid = client.get("/lti/jwks/").json()["keys"][0]["kid"]

    call_command("rotate_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert len(kids) == 2 and old_kid in kids

    call_command("rotate_keys", "--deactivate-after", "0", stdout=open(os.devnull, "w"))  # noqa: SIM115
    (newest,) = client.get("/lti/jwks/").json()["keys"]
    assert newest["kid"] not in (old_kid, *kids)
    assert Key.objects.filter(is_active=False).count() == 2


@pytest.mark.parametrize(
    ("roles", "role"),
    [
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "student"),
        (["Learner"], "student"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#NonCreditLearner"], "student"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], "instructor"),
        (["Instructor"], "instructor"),
        (["TeachingAssistant"], "instructor"),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
            "instructor",
        ),
        (["Learner", "Instructor"], "instructor"),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], None),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], None),
        ([], None),
    ],
)
def test_roles_map_to_membership_roles(roles, role):
    assert lti_role_map(roles=roles) == role


def _rotate(*args: str) -> None:
    call_command("rotate_keys", *args, stdout=open(os.devnull, "w"))  # noqa: SIM115


def _age(key: Key, days: int) -> None:
    Key.objects.filter(pk=key.pk).update(
        datetime_created=timezone.now() - timedelta(days=days, minutes=5)
    )


def test_weekly_rotation_with_deactivate_after_14_keeps_the_previous_key_a_week(db):
    first = Key.objects.generate()
    _age(first, 7)  # a week later (cron runs a few minutes late)
    _rotate("--deactivate-after", "14")
    second = Key.objects.latest("datetime_created")
    assert set(Key.objects.active().values_list("pk", flat=True)) == {first.pk, second.pk}

    _age(first, 14)
    _age(second, 7)  # another week later
    _rotate("--deactivate-after", "14")
    third = Key.objects.latest("datetime_created")
    assert set(Key.objects.active().values_list("pk", flat=True)) == {second.pk, third.pk}


def test_weekly_rotation_with_the_default_drops_the_previous_key_at_once(db):
    first = Key.objects.generate()
    _age(first, 7)
    _rotate()
    assert not Key.objects.filter(pk=first.pk, is_active=True).exists()

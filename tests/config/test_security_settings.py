"""Settings read from the environment: the shared cache, HTTPS hardening, DEBUG's check.

Settings are read once per process, so each configuration is loaded in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from config.env import redis_cache_url

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "cache": s.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    "location": s.CACHES["default"].get("LOCATION"),
    "debug": s.DEBUG,
    "session_secure": s.SESSION_COOKIE_SECURE,
    "csrf_secure": s.CSRF_COOKIE_SECURE,
    "hsts": s.SECURE_HSTS_SECONDS,
    "redirect": s.SECURE_SSL_REDIRECT,
    "proxy_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
}))
"""
CONFIG_NAMES = (
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "TENSORGRADE_HTTPS",
    "TENSORGRADE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def settings_with(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_NAMES}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_cache_is_the_brokers_redis_on_the_next_database():
    loaded = settings_with(CELERY_BROKER_URL="redis://queue.internal:6380/0")
    assert loaded["cache"] == "RedisCache"
    assert loaded["location"] == "redis://queue.internal:6380/1"


def test_an_explicit_cache_url_wins_and_without_any_redis_the_cache_is_local():
    assert settings_with(CACHE_URL="redis://cache:6379/4")["location"] == "redis://cache:6379/4"
    assert settings_with()["cache"] == "LocMemCache"


def test_redis_cache_url_keeps_credentials_and_skips_non_redis_brokers():
    assert redis_cache_url("redis://:pw@h:1/3") == "redis://:pw@h:1/4"
    assert redis_cache_url("rediss://h") == "rediss://h/1"
    assert redis_cache_url("amqp://h//") is None


def test_debug_is_off_and_cookies_are_plain_by_default():
    loaded = settings_with()
    assert loaded["debug"] is False
    assert (loaded["session_secure"], loaded["csrf_secure"], loaded["hsts"]) == (False, False, 0)
    assert loaded["redirect"] is False


def test_https_makes_cookies_secure_and_turns_on_hsts_and_redirects():
    loaded = settings_with(TENSORGRADE_HTTPS="1", TENSORGRADE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert loaded["session_secure"] and loaded["csrf_secure"] and loaded["redirect"]
    assert loaded["hsts"] == 31536000
    assert loaded["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize(
    ("debug", "hosts", "warned"),
    [
        (True, ["exams.example.org", "localhost"], True),
        (True, ["localhost", "127.0.0.1"], False),
        (False, ["exams.example.org"], False),
    ],
)
def test_debug_with_public_hosts_is_warned_about(debug, hosts, warned):
    with override_settings(DEBUG=debug, ALLOWED_HOSTS=hosts):
        ids = {message.id for message in run_checks()}
    assert ("frontend.W001" in ids) is warned

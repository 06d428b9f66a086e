"""ops.W001/ops.W002: `manage.py check --deploy` warns when the web tier keeps state per process."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from operations.checks import check_stateless_web_tier

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
}


@pytest.fixture
def deployment(settings):
    settings.DEBUG = False
    settings.CACHES = REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    return settings


def test_redis_cache_and_database_sessions_pass(deployment):
    assert check_stateless_web_tier() == []
    deployment.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    assert check_stateless_web_tier() == []


def test_a_local_memory_cache_is_ops_w001(deployment):
    deployment.CACHES = LOCMEM
    (warning,) = check_stateless_web_tier()
    assert warning.id == "ops.W001"
    assert "CACHE_URL" in warning.hint


@pytest.mark.parametrize(
    "engine, caches",
    [
        ("django.contrib.sessions.backends.file", REDIS),
        ("django.contrib.sessions.backends.cache", LOCMEM),
    ],
)
def test_sessions_one_process_cannot_share_are_ops_w002(deployment, engine, caches):
    deployment.CACHES = caches
    deployment.SESSION_ENGINE = engine
    assert "ops.W002" in {warning.id for warning in check_stateless_web_tier()}


def test_debug_is_not_a_deployment(deployment):
    deployment.DEBUG = True
    deployment.CACHES = LOCMEM
    deployment.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    assert check_stateless_web_tier() == []


def test_check_deploy_reports_it(deployment, capsys):
    deployment.CACHES = LOCMEM
    call_command("check", "--deploy", "--tag", "deploy")
    assert "ops.W001" in capsys.readouterr().err

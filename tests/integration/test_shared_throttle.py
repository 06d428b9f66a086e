"""Two separate Django processes share one Redis, so the submission limit holds across them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from exams.models import Submission
from tests.postgres import database_url

ROOT = Path(__file__).resolve().parents[2]
SUBMITTER = Path(__file__).with_name("throttled_submitter.py")
LIMIT = 3


def _process_env(redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": redis_url,
        "DATABASE_URL": database_url(connection.settings_dict),
        "TENSORGRADE_VAR_DIR": str(settings.VAR_DIR),
        "ALLOWED_HOSTS": "testserver",
        "SUBMISSION_RATE": f"{LIMIT}/day",
    }


def _submit_in_a_new_process(redis_url: str, attempt_id: int, paths: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, str(SUBMITTER), "alice", str(attempt_id), "demo-linear-neuron", *paths],
        cwd=ROOT,
        env=_process_env(redis_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def attempt_id(transactional_db, course, student, api_for) -> int:
    response = api_for(student).post(
        "/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json"
    )
    return response.json()["id"]


@pytest.fixture
def fresh_redis(redis_url):
    import redis

    for db in range(16):
        redis.Redis.from_url(redis_url, db=db).flushdb()
    return redis_url


@pytest.mark.integration
def test_two_processes_on_api_and_form_share_one_limit(fresh_redis, attempt_id):
    first = _submit_in_a_new_process(fresh_redis, attempt_id, ["api", "form"])
    second = _submit_in_a_new_process(fresh_redis, attempt_id, ["form", "api", "form"])
    assert first["cache"] == second["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert first["outcomes"] == ["accepted", "accepted"]
    assert second["outcomes"] == ["accepted", "throttled", "throttled"]
    assert Submission.objects.count() == LIMIT


@pytest.mark.integration
def test_simultaneous_processes_cannot_slip_past_the_limit(fresh_redis, attempt_id):
    paths = [["api", "form", "api"], ["form", "api", "form"]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda p: _submit_in_a_new_process(fresh_redis, attempt_id, p), paths)
        )
    outcomes = [outcome for result in results for outcome in result["outcomes"]]
    assert outcomes.count("accepted") == LIMIT
    assert outcomes.count("throttled") == len(outcomes) - LIMIT
    assert Submission.objects.count() == LIMIT

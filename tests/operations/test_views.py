"""/healthz, /readyz and /metrics on the real database; unreachable services are addresses
where nothing listens (no mocks)."""

from __future__ import annotations

import socket

import pytest
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")


def metrics_by_name(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_healthz_answers_without_touching_other_services(client, settings, broker_down):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["exams.example.org"]
    # A container health check: plain HTTP, addressed by the container's own address.
    response = client.get("/healthz", HTTP_HOST="172.18.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_other_methods_are_refused_in_the_error_shape(client):
    response = client.post("/readyz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"


def test_readyz_names_the_broker_when_it_is_down(client, db, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert body["error"]["details"] == {"down": ["broker"]}
    assert "broker" in body["error"]["message"]
    # No address, port or password in a public page.
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_names_the_sandbox_when_nothing_listens_on_its_socket(
    client, db, broker_down, monkeypatch, tmp_path
):
    monkeypatch.setenv("SANDBOX_SOCKET", str(tmp_path / "sandbox.sock"))
    body = client.get("/readyz").json()
    assert body["checks"]["sandbox"]["status"] == "down"
    assert str(tmp_path) not in str(body)


def test_readyz_skips_the_sandbox_when_each_process_starts_its_own(client, db, monkeypatch):
    monkeypatch.delenv("SANDBOX_SOCKET", raising=False)
    body = client.get("/readyz").json()
    assert body["checks"]["sandbox"]["status"] == "skipped"
    assert "SANDBOX_SOCKET" in body["checks"]["sandbox"]["reason"]


def test_readyz_names_the_database_when_it_cannot_be_reached(
    client, transactional_db, broker_down, tmp_path
):
    from django.db import connection

    if connection.vendor == "sqlite":
        unreachable = {"NAME": str(tmp_path / "no-such-folder" / "db.sqlite3")}
    else:
        unreachable = {"HOST": "127.0.0.1", "PORT": str(free_port())}
    kept = {key: connection.settings_dict[key] for key in unreachable}
    connection.close()
    connection.settings_dict.update(unreachable)
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.update(kept)
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["status"] == "down"
    assert "database" in body["error"]["details"]["down"]


def test_readyz_names_the_cache_when_its_redis_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
        }
    }
    body = client.get("/readyz").json()
    assert body["checks"]["cache"]["status"] == "down"


def test_metrics_need_the_token_when_one_is_set(client, db, settings, broker_down):
    settings.METRICS_TOKEN = "s3cret-token"
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    allowed = client.get(
        "/metrics",
        HTTP_AUTHORIZATION="Bearer s3cret-token",
        HTTP_HOST="web:8000",  # a scraper inside the network, not in ALLOWED_HOSTS
        REMOTE_ADDR="172.18.0.9",
    )
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain")


def test_metrics_without_a_token_answer_only_local_clients(client, db, settings, broker_down):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    remote = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert remote.status_code == 403
    assert "METRICS_TOKEN" in remote.json()["error"]["message"]
    # Through a reverse proxy on this machine every client looks local: refused too.
    proxied = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert proxied.status_code == 403
    # A site's name for this machine (DNS rebinding) is refused unless in ALLOWED_HOSTS;
    # this machine's own names are accepted (an operator's curl on the host).
    settings.ALLOWED_HOSTS = ["exams.example.org"]
    rebound = client.get("/metrics", HTTP_HOST="attacker.example")
    assert rebound.status_code == 400
    assert rebound.json()["error"]["code"] == "disallowed_host"
    assert client.get("/metrics", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/metrics", HTTP_HOST="exams.example.org").status_code == 200


def test_metrics_parse_and_a_source_down_leaves_the_others(
    client, settings, broker_down, course, student
):
    from tests.results.world import question_attempt, submit

    settings.METRICS_TOKEN = ""
    attempt = question_attempt(course, student)
    submit(attempt, answers={}, marking_s=0.2)
    submit(attempt, answers={}, status="error")

    response = client.get("/metrics")

    assert response.status_code == 200
    families = metrics_by_name(response.content.decode())
    up = {s.labels["dependency"]: s.value for s in families["tensorgrade_dependency_up"].samples}
    assert up == {"database": 1.0, "broker": 0.0}
    assert "tensorgrade_celery_queue_length" not in families
    submissions = {s.labels["status"]: s.value for s in families["tensorgrade_submissions"].samples}
    assert submissions == {"pending": 0, "grading": 0, "graded": 1, "error": 1}
    failures = families["tensorgrade_submission_failures"].samples
    assert {s.labels["failure"]: s.value for s in failures} == {
        "infrastructure": 1,
        "question": 0,
    }
    latency = families["tensorgrade_marking_latency_seconds"]
    assert latency.type == "histogram"
    count = next(s for s in latency.samples if s.name.endswith("_count"))
    assert count.value == 1
    for name in ("tensorgrade_lti_passbacks", "tensorgrade_webhook_deliveries"):
        assert {s.labels["status"] for s in families[name].samples} >= {"failed"}

"""/readyz and /metrics against a real Redis (the `broker` fixture) and a real sandbox server."""

from __future__ import annotations

import os

import pytest
from kombu.transport.redis import Channel
from prometheus_client.parser import text_string_to_metric_families

from config import queues
from exams.tasks import grade_submission
from operations.probes import broker_client
from sandbox.local_server import LocalServer

pytestmark = pytest.mark.integration


def queue_lengths(client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    return {
        sample.labels["queue"]: sample.value
        for sample in families["tensorgrade_celery_queue_length"].samples
    }


def test_metrics_count_the_messages_waiting_in_each_queue(client, db, broker, settings):
    settings.METRICS_TOKEN = ""
    before = queue_lengths(client)
    assert set(before) == set(queues.ALL)

    # Real sends to the real broker; no worker consumes them (removed afterwards, newest first,
    # so that no later test's worker gets them).
    for _ in range(3):
        grade_submission.apply_async(kwargs={"submission_id": 0}, queue=queues.CODE)
    grade_submission.apply_async(kwargs={"submission_id": 0}, queue=queues.MARKING, priority=6)
    try:
        after = queue_lengths(client)
    finally:
        with broker_client() as redis:
            redis.lpop(queues.CODE, 3)
            redis.lpop(f"{queues.MARKING}{Channel.sep}6", 1)
    grown = {queue: after[queue] - before[queue] for queue in queues.ALL}
    assert grown == {
        queues.MARKING: 1,
        queues.CODE: 3,
        queues.VARIANTS: 0,
        queues.PASSBACK: 0,
        queues.SWEEPER: 0,
    }
    assert queue_lengths(client) == before


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox server needs root")
def test_readyz_is_ok_when_every_dependency_answers(client, db, broker, monkeypatch):
    server = LocalServer(workers=1)
    try:
        server.wait_until_ready()
        monkeypatch.setenv("SANDBOX_SOCKET", server.client.socket_path)
        response = client.get("/readyz")
    finally:
        server.stop()
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "sandbox": "ok",
    }
    assert all(check["latency_ms"] >= 0 for check in body["checks"].values())

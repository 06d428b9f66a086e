"""Webhooks on the real stack: a real Celery worker marks a submission posted over the API, and
real receivers on 127.0.0.1 get the signed `submission.marked` POST; one answers 500 first and
gets it again after the backoff. Signatures are checked by the test's own implementation."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from api_keys import services as key_services
from exams.models import Attempt
from tests.variant_wait import built_variant
from tests.webhooks.receiver import Receiver, Reply, verify
from webhooks.models import WebhookDelivery

WAIT_S = 60
WORKER_ENV = {"WEBHOOKS_ALLOW_PRIVATE_URLS": "1", "WEBHOOKS_RETRY_BACKOFF_S": "0.5"}


def _wait_until_final(delivery_filter: dict) -> WebhookDelivery:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.filter(**delivery_filter).first()
        if delivery is not None and delivery.status != WebhookDelivery.Status.PENDING:
            return delivery
        time.sleep(0.2)
    pytest.fail(f"delivery {delivery_filter} still pending after {WAIT_S} s")


@pytest.mark.integration
@pytest.mark.slow
def test_a_marking_by_the_worker_reaches_the_receivers_signed(
    start_worker, course, student, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    start_worker(env=WORKER_ENV)
    healthy = Receiver().start()
    flaky = Receiver([Reply(500, b"try later")]).start()
    try:
        _, key = key_services.api_key_create(course=course, name="LMS")
        lms = APIClient()
        lms.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        secrets = {}
        for receiver in (healthy, flaky):
            created = lms.post(
                "/api/v1/courses/nndl/webhooks/", {"url": receiver.url()}, format="json"
            )
            assert created.status_code == 201, created.content
            secrets[receiver] = created.json()["secret"]

        api = APIClient()
        api.force_authenticate(student)
        attempt = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
        attempt_id = attempt.json()["id"]
        variant = built_variant(attempt=Attempt.objects.get(pk=attempt_id))
        answers = {"y": f"{variant.reference['exact']['y']:.2f}", "loss": "123456"}
        accepted = api.post(
            f"/api/v1/attempts/{attempt_id}/submissions/", {"answers": answers}, format="json"
        )
        assert accepted.status_code == 202
        submission_id = accepted.json()["id"]

        (request,) = healthy.wait_for(1, within_s=WAIT_S)
        assert verify(secret=secrets[healthy], headers=request.headers, body=request.body)
        assert not verify(secret=secrets[flaky], headers=request.headers, body=request.body)
        payload = json.loads(request.body)
        assert payload["type"] == "submission.marked"
        assert payload["data"]["course"] == "nndl"
        assert payload["data"]["attempt"]["id"] == attempt_id
        assert payload["data"]["question"] == "demo-linear-neuron"
        assert payload["data"]["student"] == {"id": student.pk, "external_id": None}
        submission = payload["data"]["submission"]
        assert submission["id"] == submission_id and submission["status"] == "graded"
        assert submission["score"] == 1.0 and submission["max_score"] == 2.0
        assert "123456" not in request.body.decode() and "answers" not in payload["data"]

        first, second = flaky.wait_for(2, within_s=WAIT_S)
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert verify(secret=secrets[flaky], headers=second.headers, body=second.body)
        assert json.loads(second.body) == payload, "one event, the same payload to each endpoint"

        done = _wait_until_final({"endpoint__url": flaky.url()})
        assert done.status == "succeeded" and done.attempts == 2
        assert [a.response_status for a in done.attempt_log.all()] == [500, 200]
        assert _wait_until_final({"endpoint__url": healthy.url()}).attempts == 1
    finally:
        healthy.stop()
        flaky.stop()

"""The verification snippet in docs/lms.md accepts a real delivery and rejects stale or forged
ones (it is run as written, with nothing but the standard library)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from webhooks import services, signing
from webhooks.tasks import send_delivery

LMS_DOC = Path(__file__).resolve().parents[2] / "docs" / "lms.md"


@pytest.fixture
def verify_webhook():
    section = LMS_DOC.read_text().split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    (snippet,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", section, re.S)
        if "def verify_webhook" in block
    ]
    assert "import base64" in snippet and "standardwebhooks" not in snippet
    namespace: dict = {}
    exec(compile(snippet, str(LMS_DOC), "exec"), namespace)
    return namespace["verify_webhook"]


@pytest.mark.django_db
def test_the_documented_snippet_verifies_a_real_delivery(
    verify_webhook, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    send_delivery(delivery.pk)
    (request,) = receiver.requests
    assert verify_webhook(endpoint.secret, request.headers, request.body)
    assert not verify_webhook(endpoint.secret, request.headers, request.body + b" ")
    body = request.body.decode()
    for minutes_ago, accepted in ((4, True), (6, False)):
        headers = signing.signed_headers(
            secret=endpoint.secret,
            message_id=delivery.message_id,
            sent_at=timezone.now() - timedelta(minutes=minutes_ago),
            body=body,
        )
        assert verify_webhook(endpoint.secret, headers, request.body) is accepted
    other = services.webhook_endpoint_create(course=endpoint.course, url=receiver.url("/other"))
    assert not verify_webhook(other.secret, request.headers, request.body)

"""Signatures are Standard Webhooks ones: checked by an independent implementation
(tests/webhooks/receiver.verify) and by the library's verifier, which rejects stale ones."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.webhooks.receiver import verify
from webhooks import signing

BODY = '{"type":"submission.marked","data":{"score":1.0}}'


def test_a_secret_is_whsec_and_32_random_bytes():
    secret = signing.secret_new()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret != signing.secret_new()


def test_signed_headers_verify_with_an_independent_implementation():
    secret = signing.secret_new()
    headers = signing.signed_headers(
        secret=secret, message_id="msg_1", sent_at=datetime.now(UTC), body=BODY
    )
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-signature"].startswith("v1,")
    assert verify(secret=secret, headers=headers, body=BODY.encode())


def test_a_changed_body_id_or_secret_fails_verification():
    secret = signing.secret_new()
    headers = signing.signed_headers(
        secret=secret, message_id="msg_1", sent_at=datetime.now(UTC), body=BODY
    )
    assert not verify(secret=secret, headers=headers, body=BODY.replace("1.0", "2.0").encode())
    assert not verify(secret=secret, headers={**headers, "webhook-id": "msg_2"}, body=BODY.encode())
    assert not verify(secret=signing.secret_new(), headers=headers, body=BODY.encode())


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_timestamp_outside_the_tolerance_is_rejected(offset):
    secret = signing.secret_new()
    sent_at = datetime.now(UTC) + offset
    headers = signing.signed_headers(secret=secret, message_id="msg_1", sent_at=sent_at, body=BODY)
    with pytest.raises(WebhookVerificationError, match="timestamp too"):
        Webhook(secret).verify(BODY, headers)
    assert not verify(secret=secret, headers=headers, body=BODY.encode())
    # The same signature is valid at the time it was made: only the clock rejected it.
    assert verify(secret=secret, headers=headers, body=BODY.encode(), now=sent_at.timestamp())


def test_the_library_verifier_accepts_a_fresh_signature():
    secret = signing.secret_new()
    headers = signing.signed_headers(
        secret=secret, message_id="msg_1", sent_at=datetime.now(UTC), body=BODY
    )
    assert Webhook(secret).verify(BODY, headers)["data"]["score"] == 1.0

"""Standard Webhooks secrets, message ids and signed headers (the `standardwebhooks` library)."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from webhooks.models import SECRET_PREFIX

SECRET_BYTES = 32
USER_AGENT = "Tensorgrade-Webhooks/1"


def secret_new() -> str:
    """A fresh endpoint secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id_new() -> str:
    """A fresh `webhook-id`: `msg_` and 32 hex digits, kept for every attempt and replay."""
    return f"msg_{uuid.uuid4().hex}"


def payload_body(payload: dict[str, Any]) -> str:
    """The JSON text POSTed (and signed) for a payload: compact, ASCII only."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True)


def signed_headers(*, secret: str, message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The headers of one attempt: `webhook-id`, `webhook-timestamp` (Unix seconds of `sent_at`)
    and `webhook-signature` `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`."""
    sent_at = sent_at.astimezone(UTC)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
    }

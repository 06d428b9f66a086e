"""The simulated platform's token endpoint refuses what a real platform refuses, so the
passback tests that get a token prove the tool signs its client assertion correctly."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from lti_tool.models import Key

from lti_grades.client import ASSERTION_TYPE, SCOPE_SCORE
from tests.lti.platform.server import make_key


def assertion(link, *, key_pem: str | None = None, **overrides) -> str:
    tool_key = Key.objects.active().latest()
    now = int(time.time())
    claims = {
        "iss": link.platform.client_id,
        "sub": link.platform.client_id,
        "aud": link.platform.token_url,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        **overrides,
    }
    kid = tool_key.as_jwk()["kid"]
    return jwt.encode(
        claims, key_pem or tool_key.private_key, algorithm="RS256", headers={"kid": kid}
    )


def ask(link, signed: str) -> requests.Response:
    return requests.post(
        link.platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": signed,
            "scope": SCOPE_SCORE,
        },
        timeout=10,
    )


def test_a_well_signed_assertion_gets_a_token_once(link):
    signed = assertion(link)

    granted = ask(link, signed)
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"] == "Bearer" and granted.json()["scope"] == SCOPE_SCORE

    replayed = ask(link, signed)
    assert replayed.status_code == 401 and "replayed" in replayed.json()["error_description"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "https://elsewhere.example/token"}, "audience"),
        ({"iss": "another-client"}, "issuer"),
        ({"sub": "another-client"}, "sub"),
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 180}, "expired"),
    ],
)
def test_wrong_claims_are_refused(link, overrides, reason):
    refused = ask(link, assertion(link, **overrides))

    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert reason in refused.json()["error_description"].lower()


def test_an_assertion_signed_by_another_key_is_refused(link):
    stranger = make_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    refused = ask(link, assertion(link, key_pem=stranger.decode()))

    assert refused.status_code == 401 and "signature" in refused.json()["error_description"].lower()


def test_a_service_call_without_a_token_is_refused(link):
    response = requests.post(
        link.line_item.url + "/scores",
        json={"userId": "x"},
        headers={"Content-Type": "application/vnd.ims.lis.v1.score+json"},
        timeout=10,
    )

    assert response.status_code == 401

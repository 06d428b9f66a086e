"""The simulated platform's LTI Advantage services: OAuth2 token, AGS line items and scores, NRPS.

Everything a real platform (Canvas, Moodle) does on these endpoints that the tool relies on:

- `POST /token`: OAuth2 client credentials with a signed JWT client assertion
  (RFC 7523). The assertion must be RS256-signed by a key in the tool's JWKS (fetched from the
  tool's JWKS URL, or given as a dict), `iss` and `sub` the tool's client id, `aud` the token
  URL (or the configured audience), not expired, and its `jti` never seen before. Grants the
  requested scopes the tool was given; the token lasts `token_lifetime_s`.
- `GET|POST /lineitems/<context>`, `GET /lineitems/<context>/<n>`: line items of a context.
- `POST /lineitems/<context>/<n>/scores`: records every score received (`scores`); refuses
  a score without the required fields (400) or whose timestamp is not after the last one for
  that user (409), and answers the statuses queued in `score_failures` first (a 500 then success).
- `GET /memberships/<context>`: the NRPS membership container, `page_size` members per page,
  with `Link: <...>; rel="next"` to the next page.

Each request must carry a bearer token with the scope its endpoint needs, else 401/403.
`PlatformServices(platform)` adds these endpoints to a `SimulatedPlatform`'s route table (the
routes of a context and of a line item as they are created).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from jwt.algorithms import RSAAlgorithm

from tests.lti.platform.server import PlatformRequest, PlatformResponse, SimulatedPlatform

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = frozenset(
    {SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_SCORE, SCOPE_RESULT_READONLY, SCOPE_NRPS}
)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACTIVITY_PROGRESS = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING_PROGRESS = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def _error(status: int, error: str, description: str) -> PlatformResponse:
    return PlatformResponse.json({"error": error, "error_description": description}, status)


def _typed(data: Any, content_type: str, status: int = 200, **headers: str) -> PlatformResponse:
    response = PlatformResponse.json(data, status, **headers)
    response.headers["Content-Type"] = content_type
    return response


@dataclass
class ReceivedScore:
    """One score the platform accepted, as received."""

    line_item: str  # the line item's URL
    body: dict[str, Any]
    content_type: str


@dataclass
class IssuedToken:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


class PlatformServices:
    """State and handlers of the simulated platform's services, served by `platform`.

    The tool's public keys come from `tool_jwks` (a JWKS dict, or a callable returning one)
    or, when None, from the platform's `tool_keyset_url` (fetched as a real platform does).
    `granted_scopes` are the services the platform allows the tool (all by default).
    """

    def __init__(
        self,
        platform: SimulatedPlatform,
        *,
        tool_jwks: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
        granted_scopes: frozenset[str] = ALL_SCOPES,
        audience: str | None = None,
        token_lifetime_s: int = 3600,
        page_size: int = 50,
    ) -> None:
        self.platform = platform
        self.tool_jwks = tool_jwks
        self.granted_scopes = granted_scopes
        self.audience = audience
        self.token_lifetime_s = token_lifetime_s
        self.page_size = page_size
        self.lock = threading.Lock()
        self.tokens: dict[str, IssuedToken] = {}
        self.token_requests: list[dict[str, Any]] = []  # every token request: outcome, scope
        self.seen_jti: set[str] = set()
        self.line_items: dict[str, dict[str, Any]] = {}  # line item URL -> line item
        self.scores: list[ReceivedScore] = []
        self.score_failures: list[int] = []  # statuses answered to the next score posts
        self.last_timestamps: dict[tuple[str, str], datetime] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}  # context id -> members
        platform.add_route("POST", "/token", self.token)

    @property
    def client_id(self) -> str:
        return self.platform.client_id

    @property
    def token_url(self) -> str:
        return self.platform.token_url

    def lineitems_url(self, context_id: str) -> str:
        return self.platform.url(f"/lineitems/{context_id}")

    def memberships_url(self, context_id: str) -> str:
        return self.platform.url(f"/memberships/{context_id}")

    def add_context(self, context_id: str, members: list[dict[str, Any]] | None = None) -> None:
        """Serve a context's line items container and its NRPS membership container."""
        path = f"/lineitems/{context_id}"
        self.platform.add_route("GET", path, lambda r: self.line_items_list(r, context_id))
        self.platform.add_route("POST", path, lambda r: self.line_item_create(r, context_id))
        self.platform.add_route(
            "GET", f"/memberships/{context_id}", lambda r: self.memberships(r, context_id)
        )
        with self.lock:
            self.members.setdefault(context_id, list(members or []))

    def add_line_item(
        self, context_id: str, *, label: str, score_maximum: float, **extra: Any
    ) -> dict[str, Any]:
        """Create a line item in a context (as an instructor would); returns it with its id."""
        with self.lock:
            number = len(self.line_items) + 1
            path = f"/lineitems/{context_id}/{number}"
            item = {
                "id": self.platform.url(path),
                "label": label,
                "scoreMaximum": score_maximum,
                **extra,
            }
            self.line_items[item["id"]] = item
        self.platform.add_route("GET", path, lambda r: self.line_item_get(r, item["id"]))
        self.platform.add_route("POST", path + "/scores", lambda r: self.score_post(r, item["id"]))
        return dict(item)

    def scores_for(self, line_item_url: str, user_id: str | None = None) -> list[dict[str, Any]]:
        """The score bodies received for a line item (and user), oldest first."""
        with self.lock:
            return [
                s.body
                for s in self.scores
                if s.line_item == line_item_url
                and (user_id is None or s.body.get("userId") == user_id)
            ]

    # ---------------------------------------------------------------- token
    def _tool_keys(self) -> dict[str, Any]:
        if self.tool_jwks is not None:
            return self.tool_jwks() if callable(self.tool_jwks) else self.tool_jwks
        return self.platform.tool_jwks()

    def _verify_assertion(self, assertion: str) -> dict[str, Any]:
        """The assertion's claims; raises jwt.InvalidTokenError when it must be refused."""
        header = jwt.get_unverified_header(assertion)
        if header.get("alg") != "RS256":
            raise jwt.InvalidTokenError(f"alg must be RS256, not {header.get('alg')!r}")
        kid = header.get("kid")
        keys = [k for k in self._tool_keys().get("keys", []) if kid is None or k.get("kid") == kid]
        if not keys:
            raise jwt.InvalidTokenError(f"no key {kid!r} in the tool's JWKS")
        last_error: Exception = jwt.InvalidSignatureError("signature does not verify")
        for jwk in keys:
            key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            try:
                claims = jwt.decode(
                    assertion,
                    key=key,
                    algorithms=["RS256"],
                    audience=self.audience or self.token_url,
                    issuer=self.client_id,
                    options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
                    leeway=5,
                )
            except jwt.InvalidSignatureError as exc:
                last_error = exc
                continue
            if claims["sub"] != self.client_id:
                raise jwt.InvalidTokenError("sub must be the tool's client id")
            with self.lock:
                if claims["jti"] in self.seen_jti:
                    raise jwt.InvalidTokenError("jti was used before (a replayed assertion)")
                self.seen_jti.add(claims["jti"])
            return claims
        raise last_error

    def token(self, request: PlatformRequest) -> PlatformResponse:
        """The OAuth2 token endpoint (client credentials, JWT client assertion)."""
        form = request.form()
        record: dict[str, Any] = {"scope": form.get("scope", "")}
        self.token_requests.append(record)
        if form.get("grant_type") != "client_credentials":
            record["outcome"] = "unsupported_grant_type"
            return _error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            record["outcome"] = "invalid_request"
            return _error(400, "invalid_request", "a JWT bearer client_assertion is required")
        try:
            self._verify_assertion(form["client_assertion"])
        except jwt.InvalidTokenError as exc:
            record["outcome"] = "invalid_client"
            record["error"] = str(exc)
            return _error(401, "invalid_client", f"client_assertion refused: {exc}")
        requested = frozenset(form.get("scope", "").split())
        scopes = requested & self.granted_scopes
        if not scopes:
            record["outcome"] = "invalid_scope"
            return _error(400, "invalid_scope", f"none of {sorted(requested)} is granted")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = IssuedToken(
                self.client_id, scopes, time.time() + self.token_lifetime_s
            )
        record["outcome"] = "granted"
        return PlatformResponse.json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
                "scope": " ".join(sorted(scopes)),
            }
        )

    def _refused(self, request: PlatformRequest, *accepted: str) -> PlatformResponse | None:
        """None when the bearer token holds one of `accepted` scopes, else the error to send."""
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
        with self.lock:
            issued = self.tokens.get(token)
        if issued is None or issued.expires_at < time.time():
            return _error(401, "invalid_token", "a valid bearer access token is required")
        if not issued.scopes & set(accepted):
            return _error(403, "insufficient_scope", f"needs one of {sorted(accepted)}")
        return None

    # ---------------------------------------------------------------- AGS
    def line_items_list(self, request: PlatformRequest, context_id: str) -> PlatformResponse:
        refused = self._refused(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
        if refused:
            return refused
        prefix = self.lineitems_url(context_id) + "/"
        with self.lock:
            items = [dict(i) for url, i in self.line_items.items() if url.startswith(prefix)]
        return _typed(items, LINEITEMS_TYPE)

    def line_item_create(self, request: PlatformRequest, context_id: str) -> PlatformResponse:
        refused = self._refused(request, SCOPE_LINEITEM)
        if refused:
            return refused
        try:
            body = request.json()
            label, maximum = body["label"], float(body["scoreMaximum"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "invalid_request", "label and scoreMaximum are required")
        extra = {k: v for k, v in body.items() if k not in {"id", "label", "scoreMaximum"}}
        item = self.add_line_item(context_id, label=label, score_maximum=maximum, **extra)
        return _typed(item, LINEITEM_TYPE, status=201)

    def line_item_get(self, request: PlatformRequest, url: str) -> PlatformResponse:
        refused = self._refused(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
        if refused:
            return refused
        with self.lock:
            item = dict(self.line_items[url])
        return _typed(item, LINEITEM_TYPE)

    def score_post(self, request: PlatformRequest, url: str) -> PlatformResponse:
        refused = self._refused(request, SCOPE_SCORE)
        if refused:
            return refused
        with self.lock:
            failure = self.score_failures.pop(0) if self.score_failures else None
        if failure is not None:
            return _error(failure, "platform_error", f"simulated failure {failure}")
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip() != SCORE_TYPE:
            return _error(415, "unsupported_media_type", f"Content-Type must be {SCORE_TYPE}")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "invalid_request", "the body is not JSON")
        problem = _score_problem(body)
        if problem:
            return _error(400, "invalid_request", problem)
        stamp = datetime.fromisoformat(body["timestamp"])
        with self.lock:
            last = self.last_timestamps.get((url, body["userId"]))
            if last is not None and stamp <= last:
                return _error(
                    409, "stale_timestamp", "timestamp is not after the last score's timestamp"
                )
            self.last_timestamps[(url, body["userId"])] = stamp
            self.scores.append(ReceivedScore(url, body, content_type))
        return PlatformResponse(204)

    # ---------------------------------------------------------------- NRPS
    def memberships(self, request: PlatformRequest, context_id: str) -> PlatformResponse:
        refused = self._refused(request, SCOPE_NRPS)
        if refused:
            return refused
        with self.lock:
            members = list(self.members[context_id])
        offset = int(request.arg("offset") or 0)
        headers = {}
        if offset + self.page_size < len(members):
            query = urlencode({"offset": offset + self.page_size})
            headers["Link"] = f'<{self.memberships_url(context_id)}?{query}>; rel="next"'
        body = {
            "id": self.memberships_url(context_id),
            "context": {"id": context_id, "title": context_id},
            "members": members[offset : offset + self.page_size],
        }
        return _typed(body, MEMBERSHIPS_TYPE, **headers)


def _score_problem(body: Any) -> str | None:
    """What is wrong with a score body per the AGS spec, or None."""
    if not isinstance(body, dict):
        return "the score must be a JSON object"
    for name in ("userId", "activityProgress", "gradingProgress", "timestamp"):
        if not body.get(name):
            return f"{name} is required"
    if body["activityProgress"] not in ACTIVITY_PROGRESS:
        return f"unknown activityProgress {body['activityProgress']!r}"
    if body["gradingProgress"] not in GRADING_PROGRESS:
        return f"unknown gradingProgress {body['gradingProgress']!r}"
    try:
        stamp = datetime.fromisoformat(body["timestamp"])
    except ValueError:
        return "timestamp must be ISO 8601"
    if stamp.tzinfo is None:
        return "timestamp must have a time zone"
    if "scoreGiven" in body:
        given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
        if not isinstance(given, int | float) or not isinstance(maximum, int | float):
            return "scoreGiven needs a numeric scoreMaximum"
        if given < 0 or maximum <= 0:
            return "scoreGiven must be >= 0 and scoreMaximum > 0"
    return None

"""The simulated platform's LTI Advantage services: OAuth2 token, AGS line items and scores, NRPS.

Everything a real platform (Canvas, Moodle) does on these endpoints that the tool relies on:

- `POST /token`: OAuth2 client credentials with a signed JWT client assertion
  (RFC 7523). The assertion must be RS256-signed by a key in the tool's JWKS (fetched from the
  tool's JWKS URL, or given as a dict), `iss` and `sub` the tool's client id, `aud` the token
  URL (or the configured audience), not expired, and its `jti` never seen before. Grants the
  requested scopes the tool was given; the token lasts `token_lifetime_s`.
- `GET|POST /lineitems/<context>`, `GET /lineitems/<context>/<n>`: line items of a context.
- `POST /lineitems/<context>/<n>/scores`: records every score received (`scores`); refuses
  (400) a score without the required fields or whose timestamp is not after the last one
  for that user, and answers the statuses queued in `score_failures` first (a 500 then success).
- `GET /memberships/<context>`: the NRPS membership container, `page_size` members per page,
  with `Link: <...>; rel="next"` to the next page.

Each request must carry a bearer token with the scope its endpoint needs, else 401/403.
Handlers take a `ServiceRequest` and return a `ServiceResponse`; `PlatformServices.handle`
dispatches, so any HTTP server can serve them (`register` adds them to the simulated platform's
route table).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

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


@dataclass
class ServiceRequest:
    """What a handler needs of an HTTP request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @classmethod
    def build(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> ServiceRequest:
        """Split a request target (`/path?query`) and lower-case the header names."""
        parts = urlsplit(target)
        return cls(
            method=method.upper(),
            path=parts.path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in headers.items()},
            body=body,
        )

    def form(self) -> dict[str, str]:
        """The body as an `application/x-www-form-urlencoded` form (first value of each)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class ServiceResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode("utf-8")


def _error(status: int, error: str, description: str) -> ServiceResponse:
    return ServiceResponse(status, {"error": error, "error_description": description})


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
    """State and handlers of the simulated platform's services.

    `base_url` is the server's own URL (e.g. `http://127.0.0.1:PORT`); `client_id` the id the
    platform gave the tool; the tool's public keys come from `tool_jwks` (a JWKS dict, or a
    callable returning one) or, when None, from `tool_jwks_url`. `granted_scopes` are the
    services the platform allows the tool (all by default).
    """

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        tool_jwks: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
        tool_jwks_url: str | None = None,
        granted_scopes: frozenset[str] = ALL_SCOPES,
        audience: str | None = None,
        token_lifetime_s: int = 3600,
        page_size: int = 50,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.tool_jwks = tool_jwks
        self.tool_jwks_url = tool_jwks_url
        self.granted_scopes = granted_scopes
        self.audience = audience
        self.token_lifetime_s = token_lifetime_s
        self.page_size = page_size
        self.lock = threading.Lock()
        self.tokens: dict[str, IssuedToken] = {}
        self.token_requests: list[dict[str, Any]] = []  # every token request: outcome, scopes
        self.seen_jti: set[str] = set()
        self.line_items: dict[str, dict[str, Any]] = {}  # line item URL -> line item
        self.scores: list[ReceivedScore] = []
        self.score_failures: list[int] = []  # statuses answered to the next score posts
        self.last_timestamps: dict[tuple[str, str], datetime] = {}
        self.members: dict[str, list[dict[str, Any]]] = {}  # context id -> members
        self.membership_requests: list[str] = []

    # URLs the tool is configured with (the AGS and NRPS claims of a launch carry them).
    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def lineitems_url(self, context_id: str) -> str:
        return f"{self.base_url}/lineitems/{context_id}"

    def memberships_url(self, context_id: str) -> str:
        return f"{self.base_url}/memberships/{context_id}"

    def add_line_item(
        self, context_id: str, *, label: str, score_maximum: float, **extra: Any
    ) -> dict[str, Any]:
        """Create a line item in a context (as an instructor would); returns it with its id."""
        with self.lock:
            url = f"{self.lineitems_url(context_id)}/{len(self.line_items) + 1}"
            item = {"id": url, "label": label, "scoreMaximum": score_maximum, **extra}
            self.line_items[url] = item
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

    # ---------------------------------------------------------------- dispatch
    def handle(self, request: ServiceRequest) -> ServiceResponse | None:
        """Answer a request for one of the services; None when the path is not theirs."""
        segments = [s for s in request.path.split("/") if s]
        if segments == ["token"]:
            return self.token(request) if request.method == "POST" else _not_allowed()
        if segments and segments[0] == "lineitems" and len(segments) >= 2:
            context_id = segments[1]
            if len(segments) == 2:
                return self.line_items_collection(request, context_id)
            url = f"{self.lineitems_url(context_id)}/{segments[2]}"
            if len(segments) == 3:
                return self.line_item_get(request, url)
            if len(segments) == 4 and segments[3] == "scores":
                return self.score_post(request, url)
            return None
        if len(segments) == 2 and segments[0] == "memberships":
            return self.memberships(request, segments[1])
        return None

    # ---------------------------------------------------------------- token
    def _tool_keys(self) -> dict[str, Any]:
        if self.tool_jwks is not None:
            return self.tool_jwks() if callable(self.tool_jwks) else self.tool_jwks
        if not self.tool_jwks_url:
            return {"keys": []}
        with urllib.request.urlopen(self.tool_jwks_url, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def _verify_assertion(self, assertion: str) -> dict[str, Any]:
        """The assertion's claims; raises jwt.InvalidTokenError when it must be refused."""
        header = jwt.get_unverified_header(assertion)
        if header.get("alg") != "RS256":
            raise jwt.InvalidTokenError(f"alg must be RS256, not {header.get('alg')!r}")
        keys = self._tool_keys().get("keys", [])
        kid = header.get("kid")
        candidates = [k for k in keys if kid is None or k.get("kid") == kid]
        if not candidates:
            raise jwt.InvalidTokenError(f"no key {kid!r} in the tool's JWKS")
        last_error: Exception | None = None
        for jwk in candidates:
            key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
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
                    raise jwt.InvalidTokenError("jti was used before (replayed assertion)")
                self.seen_jti.add(claims["jti"])
            return claims
        raise last_error or jwt.InvalidTokenError("signature does not verify")

    def token(self, request: ServiceRequest) -> ServiceResponse:
        form = request.form()
        record: dict[str, Any] = {"scope": form.get("scope", "")}
        self.token_requests.append(record)
        if form.get("grant_type") != "client_credentials":
            record["outcome"] = "unsupported_grant_type"
            return _error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get(
            "client_assertion"
        ):
            record["outcome"] = "invalid_request"
            return _error(400, "invalid_request", "a JWT bearer client_assertion is required")
        try:
            self._verify_assertion(form["client_assertion"])
        except jwt.InvalidTokenError as exc:
            record["outcome"] = "invalid_client"
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
        return ServiceResponse(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
                "scope": " ".join(sorted(scopes)),
            },
        )

    def _authorize(self, request: ServiceRequest, *accepted: str) -> ServiceResponse | None:
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
    def line_items_collection(self, request: ServiceRequest, context_id: str) -> ServiceResponse:
        prefix = self.lineitems_url(context_id) + "/"
        if request.method == "GET":
            refused = self._authorize(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
            if refused:
                return refused
            with self.lock:
                items = [dict(i) for url, i in self.line_items.items() if url.startswith(prefix)]
            return ServiceResponse(200, items, content_type=LINEITEMS_TYPE)
        if request.method == "POST":
            refused = self._authorize(request, SCOPE_LINEITEM)
            if refused:
                return refused
            try:
                body = request.json()
                label, maximum = body["label"], float(body["scoreMaximum"])
            except (ValueError, KeyError, TypeError):
                return _error(400, "invalid_request", "label and scoreMaximum are required")
            extra = {k: v for k, v in body.items() if k not in {"id", "label", "scoreMaximum"}}
            item = self.add_line_item(context_id, label=label, score_maximum=maximum, **extra)
            return ServiceResponse(201, item, content_type=LINEITEM_TYPE)
        return _not_allowed()

    def line_item_get(self, request: ServiceRequest, url: str) -> ServiceResponse:
        if request.method != "GET":
            return _not_allowed()
        refused = self._authorize(request, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
        if refused:
            return refused
        with self.lock:
            item = self.line_items.get(url)
        if item is None:
            return _error(404, "not_found", "no such line item")
        return ServiceResponse(200, dict(item), content_type=LINEITEM_TYPE)

    def score_post(self, request: ServiceRequest, url: str) -> ServiceResponse:
        if request.method != "POST":
            return _not_allowed()
        refused = self._authorize(request, SCOPE_SCORE)
        if refused:
            return refused
        with self.lock:
            known = url in self.line_items
            failure = self.score_failures.pop(0) if self.score_failures else None
        if not known:
            return _error(404, "not_found", "no such line item")
        if failure is not None:
            return _error(failure, "platform_error", f"simulated failure {failure}")
        if request.headers.get("content-type", "").split(";")[0].strip() != SCORE_TYPE:
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
            self.scores.append(ReceivedScore(url, body, request.headers["content-type"]))
        return ServiceResponse(200, None)

    # ---------------------------------------------------------------- NRPS
    def memberships(self, request: ServiceRequest, context_id: str) -> ServiceResponse:
        if request.method != "GET":
            return _not_allowed()
        refused = self._authorize(request, SCOPE_NRPS)
        if refused:
            return refused
        with self.lock:
            members = self.members.get(context_id)
            self.membership_requests.append(request.path)
        if members is None:
            return _error(404, "not_found", "no such context")
        offset = int(request.query.get("offset", ["0"])[0])
        page = members[offset : offset + self.page_size]
        headers = {}
        if offset + self.page_size < len(members):
            query = urlencode({"offset": offset + self.page_size})
            headers["Link"] = f'<{self.memberships_url(context_id)}?{query}>; rel="next"'
        body = {
            "id": request.path,
            "context": {"id": context_id, "title": context_id},
            "members": page,
        }
        return ServiceResponse(200, body, headers=headers, content_type=MEMBERSHIPS_TYPE)


def _not_allowed() -> ServiceResponse:
    return _error(405, "method_not_allowed", "method not allowed")


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

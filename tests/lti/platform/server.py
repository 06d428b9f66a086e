"""A simulated LTI 1.3 platform: a real HTTP server on 127.0.0.1 with its own RSA keys.

It serves its JWKS, the OIDC authorization endpoint of the login flow (answering with a
form_post of a signed id_token) and a deep-linking return URL that verifies the tool's
response JWT against the tool's JWKS. Other test modules add endpoints with `add_route`
(tests/lti/platform/services.py adds the token, AGS and NRPS endpoints).

    with SimulatedPlatform() as platform:
        platform.tool_keyset_url = live_server.url + "/lti/jwks/"
        hint = platform.expect_launch({...claims...})
"""

from __future__ import annotations

import copy
import html
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = ROLE + "Learner"
INSTRUCTOR = ROLE + "Instructor"
# A claim given this value in a launch's claims is left out of the id_token.
REMOVE = object()


@dataclass
class PlatformRequest:
    """One request the platform received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """The urlencoded body, one value per key."""
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class PlatformResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> PlatformResponse:
        return cls(
            status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers}
        )

    @classmethod
    def html(cls, text: str, status: int = 200) -> PlatformResponse:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


Handler = Callable[[PlatformRequest], PlatformResponse]


@dataclass
class PendingLaunch:
    """Claims to put into the id_token answering one login (found by lti_message_hint)."""

    claims: dict[str, Any]
    signing_key: rsa.RSAPrivateKey | None = None
    kid: str | None = None


def make_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class SimulatedPlatform:
    """An LTI 1.3 platform (an LMS) for tests: start it, register it in the tool, launch."""

    def __init__(
        self, *, client_id: str = "tensorgrade-client", deployment_id: str = "deployment-1"
    ) -> None:
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = make_key()
        self.kid = "platform-key-" + secrets.token_hex(4)
        self.tool_keyset_url: str | None = None
        self.routes: dict[tuple[str, str], Handler] = {}
        self.received: list[PlatformRequest] = []
        self.pending: dict[str, PendingLaunch] = {}
        self.auth_requests: list[dict[str, str]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.add_route("GET", "/jwks", lambda request: PlatformResponse.json(self.jwks()))
        self.add_route("GET", "/auth", self._auth)
        self.add_route("POST", "/auth", self._auth)
        self.add_route("POST", "/deep_link_return", self._deep_link_return)

    # --- server ---------------------------------------------------------------------------

    def start(self) -> SimulatedPlatform:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> SimulatedPlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve `handler` for `method` requests to `path` (the path only, no query)."""
        self.routes[(method.upper(), path)] = handler

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def auth_url(self) -> str:
        return self.url("/auth")

    @property
    def token_url(self) -> str:
        return self.url("/token")

    @property
    def keyset_url(self) -> str:
        return self.url("/jwks")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = PlatformRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with platform._lock:
                    platform.received.append(request)
                handler = platform.routes.get((self.command, parts.path))
                if handler is None:
                    response = PlatformResponse.json({"error": "no such route"}, status=404)
                else:
                    try:
                        response = handler(request)
                    except Exception as exc:  # the test sees it as a 500 and in the body
                        response = PlatformResponse.json({"error": repr(exc)}, status=500)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        return RequestHandler

    # --- keys and tokens --------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        """The platform's public keys as a JWK Set."""
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    def sign(
        self,
        claims: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        """An RS256 JWT of `claims` signed with the platform's key (or `key`), header kid."""
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def tool_jwks(self) -> dict[str, Any]:
        """The tool's JWK Set, fetched from `tool_keyset_url` as a real platform does."""
        if not self.tool_keyset_url:
            raise RuntimeError("Set platform.tool_keyset_url to the tool's JWKS URL first.")
        response = requests.get(self.tool_keyset_url, timeout=10)
        response.raise_for_status()
        return response.json()

    def verify_tool_jwt(self, token: str, *, audience: str | list[str]) -> dict[str, Any]:
        """Verify a JWT the tool signed (RS256, kid from its JWKS); its claims, else raise."""
        kid = jwt.get_unverified_header(token).get("kid")
        for jwk in self.tool_jwks()["keys"]:
            if jwk.get("kid") == kid:
                public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
                return jwt.decode(token, public_key, algorithms=["RS256"], audience=audience)
        raise jwt.InvalidTokenError(f"kid {kid!r} is not in the tool's JWKS")

    # --- launches ---------------------------------------------------------------------------

    def base_claims(self) -> dict[str, Any]:
        """The claims of a resource-link launch by a learner, before the login's nonce."""
        now = int(time.time())
        return {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "sub": "learner-1",
            "name": "Ada Learner",
            "given_name": "Ada",
            "family_name": "Learner",
            "email": "ada@example.edu",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": "",
            LTI + "roles": [LEARNER],
            LTI + "context": {
                "id": "course-101",
                "label": "NN101",
                "title": "Neural Networks 101",
                "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            },
            LTI + "resource_link": {"id": "link-1", "title": "Mock exam"},
            LTI + "launch_presentation": {
                "document_target": "iframe",
                "return_url": self.url("/return"),
            },
        }

    def expect_launch(
        self,
        claims: dict[str, Any] | None = None,
        *,
        signing_key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
    ) -> str:
        """Remember claims for the next login that sends the returned lti_message_hint.

        `claims` are merged over `base_claims()` (a value of REMOVE drops the claim); the
        nonce comes from the tool's authorization request.
        """
        hint = "hint-" + secrets.token_hex(8)
        self.pending[hint] = PendingLaunch(claims or {}, signing_key, kid)
        return hint

    def _auth(self, request: PlatformRequest) -> PlatformResponse:
        """The OIDC authorization endpoint: check the tool's request, form_post an id_token."""
        params = {k: v[0] for k, v in request.query.items()}
        if request.method == "POST":
            params.update(request.form())
        self.auth_requests.append(params)
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        wrong = [k for k, v in expected.items() if params.get(k) != v]
        missing = [k for k in ("redirect_uri", "state", "nonce", "login_hint") if not params.get(k)]
        pending = self.pending.pop(params.get("lti_message_hint", ""), None)
        if wrong or missing or pending is None:
            return PlatformResponse.json(
                {"error": "invalid_request", "wrong": wrong, "missing": missing}, status=400
            )
        claims = self.base_claims()
        claims["nonce"] = params["nonce"]
        claims[LTI + "target_link_uri"] = params["redirect_uri"]
        for name, value in pending.claims.items():
            if value is REMOVE:
                claims.pop(name, None)
            else:
                claims[name] = copy.deepcopy(value)
        id_token = self.sign(claims, key=pending.signing_key, kid=pending.kid)
        return PlatformResponse.html(
            auto_post_form(params["redirect_uri"], {"id_token": id_token, "state": params["state"]})
        )

    def _deep_link_return(self, request: PlatformRequest) -> PlatformResponse:
        """Receive a deep linking response: verify its JWT with the tool's JWKS, keep its claims."""
        token = request.form().get("JWT", "")
        try:
            claims = self.verify_tool_jwt(token, audience=self.issuer)
        except jwt.InvalidTokenError as exc:
            return PlatformResponse.html(f"<p>Rejected: {html.escape(str(exc))}</p>", status=400)
        if claims.get("iss") != self.client_id:
            return PlatformResponse.html("<p>Rejected: iss is not our client id</p>", status=400)
        self.deep_link_responses.append(claims)
        return PlatformResponse.html("<p>Content item received.</p>")


def auto_post_form(action: str, fields: dict[str, str]) -> str:
    """An HTML page that a browser submits at once (the form_post response mode)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<form method="post" action="{html.escape(action)}">{inputs}</form>'
        "<script>document.forms[0].submit()</script>"
    )

"""Talking to an LTI platform's services with the registration's OAuth2 token.

Built on pylti1p3's `ServiceConnector` (its signed client assertion, its requests and `Link`
paging), with two changes a long-running worker needs: access tokens are cached per
registration and scope set in Django's cache until shortly before they expire (pylti1p3 keeps
them per connector object, for ever), and every request has a timeout.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from lti_tool.models import LtiRegistration
from pylti1p3.exception import LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_CONTENT_TYPE = "application/vnd.ims.lis.v1.score+json"
TOKEN_EXPIRY_MARGIN_S = 30
ERROR_BODY_CHARS = 500
NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


@dataclass
class PlatformError(Exception):
    """A request to the platform failed: `status` is its HTTP status (None: no answer)."""

    message: str
    status: int | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def retryable(self) -> bool:
        """Worth trying again later: no answer, a server error, or "too many requests"."""
        return self.status is None or self.status >= 500 or self.status in (408, 425, 429)


class _TimeoutSession(requests.Session):
    """A requests session whose every request gives up after LTI_SERVICE_TIMEOUT_S."""

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", settings.LTI_SERVICE_TIMEOUT_S)
        return super().request(method, url, **kwargs)


def _token_cache_key(registration: LtiRegistration, scopes: list[str]) -> str:
    digest = hashlib.sha256(" ".join(sorted(scopes)).encode()).hexdigest()[:32]
    return f"lti_grades:token:{registration.pk}:{digest}"


class CachedServiceConnector(ServiceConnector):
    """pylti1p3's connector with tokens cached per registration and scope set until expiry."""

    def __init__(self, registration: LtiRegistration) -> None:
        session = _TimeoutSession()
        session.headers["User-Agent"] = "Tensorgrade-LTI"
        super().__init__(registration.to_registration(), requests_session=session)
        self._model = registration

    def get_access_token(self, scopes: Any) -> str:
        """A bearer token for `scopes`: the cached one, else one fetched with a new assertion.

        Raises PlatformError when the token endpoint refuses or does not answer.
        """
        key = _token_cache_key(self._model, list(scopes))
        token = cache.get(key)
        if token:
            return token
        reg = self._registration
        client_id = str(reg.get_client_id())
        token_url = str(reg.get_auth_token_url())
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": reg.get_auth_audience() or token_url,
            "iat": now - 5,
            "exp": now + 60,
            "jti": f"tensorgrade-{uuid.uuid4()}",
        }
        kid = reg.get_kid()
        assertion = self.encode_jwt(
            claims, str(reg.get_tool_private_key()), {"kid": kid} if kid else {}
        )
        try:
            response = self._requests_session.post(
                token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "scope": " ".join(sorted(scopes)),
                },
            )
        except requests.RequestException as exc:
            raise PlatformError(f"the token endpoint {token_url} did not answer: {exc}") from exc
        if not response.ok:
            raise PlatformError(
                f"the token endpoint {token_url} refused: {response.status_code} "
                f"{response.text[:ERROR_BODY_CHARS]}",
                response.status_code,
            )
        try:
            body = response.json()
            token = body["access_token"]
            lifetime = int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise PlatformError(f"the token endpoint {token_url} sent no access_token") from exc
        if lifetime > TOKEN_EXPIRY_MARGIN_S:
            cache.set(key, token, timeout=lifetime - TOKEN_EXPIRY_MARGIN_S)
        return token

    def make_service_request(  # noqa: PLR0913 - pylti1p3's signature
        self,
        scopes: Any,
        url: str,
        is_post: bool = False,
        data: str | None = None,
        content_type: str = "application/json",
        accept: str = "application/json",
        case_insensitive_headers: bool = False,
    ) -> Any:
        """pylti1p3's request, except that the next page's URL keeps its case (pylti1p3
        lower-cases the whole `Link` header, which breaks Moodle's mixed-case service URLs)."""
        headers = {"Authorization": "Bearer " + self.get_access_token(scopes), "Accept": accept}
        if is_post:
            headers["Content-Type"] = content_type
            response = self._requests_session.post(url, data=data or None, headers=headers)
        else:
            response = self._requests_session.get(url, headers=headers)
        if not response.ok:
            raise LtiServiceException(response)
        match = NEXT_LINK.search(response.headers.get("link", "").replace("\n", " "))
        return {
            "headers": response.headers if case_insensitive_headers else dict(response.headers),
            "body": response.json() if response.content else None,
            "next_page_url": match.group(1) if match else None,
        }

    def forget_token(self, scopes: list[str]) -> None:
        """Drop the cached token for `scopes` (the platform no longer accepts it)."""
        cache.delete(_token_cache_key(self._model, scopes))

    def request(self, scopes: list[str], url: str, **kwargs: Any) -> dict[str, Any]:
        """`make_service_request`, with a fresh token once if the platform answers 401.

        Raises PlatformError with the platform's status and answer on any failure.
        """
        for fresh in (False, True):
            try:
                return self.make_service_request(scopes, url, **kwargs)
            except LtiServiceException as exc:
                status = exc.response.status_code
                if status == 401 and not fresh:
                    self.forget_token(scopes)
                    continue
                raise PlatformError(
                    f"{status} from {url}: {exc.response.text[:ERROR_BODY_CHARS]}", status
                ) from exc
            except requests.RequestException as exc:
                raise PlatformError(f"{url} did not answer: {exc}") from exc
        raise AssertionError("unreachable")


def score_post(*, registration: LtiRegistration, line_item_url: str, body: dict) -> None:
    """POST one score to the line item's `/scores` endpoint; raises PlatformError if refused."""
    base, _, query = line_item_url.partition("?")
    url = base.rstrip("/") + "/scores" + (f"?{query}" if query else "")
    CachedServiceConnector(registration).request(
        [SCOPE_SCORE],
        url,
        is_post=True,
        data=json.dumps(body),
        content_type=SCORE_CONTENT_TYPE,
    )


class _Nrps(NamesRolesProvisioningService):
    """pylti1p3's NRPS client, with our connector's errors."""

    def get_nrps_data(self, members_url: str | None = None) -> dict[str, Any]:
        connector = self._service_connector
        assert isinstance(connector, CachedServiceConnector)
        return connector.request(
            [SCOPE_NRPS],
            members_url or self._service_data["context_memberships_url"],
            accept="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
        )


def members_fetch(*, registration: LtiRegistration, memberships_url: str) -> list[dict[str, Any]]:
    """Every member of a context, following `Link: rel="next"` through all pages.

    Raises PlatformError when a page cannot be had.
    """
    service = _Nrps(
        CachedServiceConnector(registration), {"context_memberships_url": memberships_url}
    )
    return list(service.get_members())

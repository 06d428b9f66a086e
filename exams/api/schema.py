"""The OpenAPI schema's error responses: one shared `Error` component for every error status.

Statuses that follow from how a view is built are added to every operation by `ApiAutoSchema`
(the project's DEFAULT_SCHEMA_CLASS), so a new endpoint documents them without repeating them:

- 401 when the first authentication scheme answers a missing credential with a challenge, and
  403 always, for views that need a logged-in user or a key;
- 404 for operations with path parameters (nothing with that id or slug among yours);
- 400, 413 and 415 for operations with a request body;
- 429 with a `Retry-After` header for throttled views.

Statuses that depend on what a view does (409, 503, ...) are declared on the view with
`error_responses(...)` next to its success response.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from exams.api.serializers import ErrorOutput

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: (
        "The request was refused as sent and nothing was done: unreadable JSON or JSON nested "
        "too deep (`parse_error`), or a missing or invalid field (`invalid`, or a code naming "
        "the problem, e.g. `invalid_answers` with the part labels in `details.parts`)."
    ),
    401: (
        "No valid credentials (`not_authenticated`, `authentication_failed`): no "
        "`Authorization` header or session, or an unknown, revoked or expired API key or token; "
        "`WWW-Authenticate` names the scheme to use."
    ),
    403: (
        "The credentials may not do this (`permission_denied`): e.g. a course API key on an "
        "endpoint for signed-in users, or an instructor answering a student's attempt."
    ),
    404: (
        "Nothing with that id or slug among what the credentials reach (`not_found`); another "
        "course's objects get the same answer."
    ),
    409: "The request conflicts with the current state; the message says why and what to do.",
    413: "The body is larger than the API accepts (`request_too_large`, `details.limit_bytes`).",
    415: "The body is not JSON, a form or multipart (`unsupported_media_type`); send JSON.",
    429: (
        "Too many requests (`throttled`, or `submission_limit` for the course's per-student "
        "submission limit): nothing was done; wait the `Retry-After` header's seconds (also "
        "`details.retry_after_s`) and try again."
    ),
    503: (
        "A service the request needs is unavailable for now (not the client's fault); nothing "
        "was used up. Try again in a minute."
    ),
}

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def error_responses(*statuses: int, notes: dict[int, str] | None = None) -> dict[int, Any]:
    """`@extend_schema(responses=...)` entries for error statuses, all in the `Error` shape.

    `notes` adds what a status means for this endpoint (e.g. its 409 codes) to the shared
    description. Raises KeyError for a status without a shared description.
    """
    notes = notes or {}
    return {
        status: OpenApiResponse(
            response=ErrorOutput,
            description=" ".join(filter(None, [ERROR_DESCRIPTIONS[status], notes.get(status)])),
        )
        for status in statuses
    }


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses every operation can give."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        """The operation with its implicit error responses (see the module docstring) added
        to the declared ones; a declared status keeps its own description."""
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        error_ref = self.resolve_serializer(ErrorOutput, "response").ref
        for status in self._implicit_error_statuses(operation):
            responses.setdefault(
                str(status),
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": error_ref}},
                },
            )
        if "429" in responses:
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER_HEADER)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _implicit_error_statuses(self, operation: dict[str, Any]) -> list[int]:
        statuses = []
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            if self._challenges_missing_credentials():
                statuses.append(401)
            statuses.append(403)
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            statuses.append(404)
        if "requestBody" in operation:
            statuses += [400, 413, 415]
        if self.view.get_throttles():
            statuses.append(429)
        return statuses

    def _challenges_missing_credentials(self) -> bool:
        """DRF answers a request without credentials with 401 only when the view's first
        authentication class names a scheme in `WWW-Authenticate`; otherwise with 403."""
        authenticators = self.view.get_authenticators()
        return bool(authenticators and authenticators[0].authenticate_header(self.view.request))

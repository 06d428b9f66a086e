"""Maps every API error to one JSON shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from exams.errors import ApplicationError

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    """True for /api and every URL under /api/."""
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def api_error_response(
    status_code: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    """A JSON response in the API's one error shape, for errors raised outside DRF's views."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": details or {}}},
        status=status_code,
    )


def request_too_large_response(limit_bytes: int) -> JsonResponse:
    """A 413 for a request body over ``limit_bytes``."""
    return api_error_response(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        f"The request body is larger than the API accepts ({limit_bytes} bytes); send less "
        "(answers are short text, code is a single source file).",
        {"limit_bytes": limit_bytes},
    )


def trailing_slash_response(method: str, url_with_slash: str) -> JsonResponse:
    """A 404 for a request to an API URL without its trailing slash: where to send it."""
    return api_error_response(
        status.HTTP_404_NOT_FOUND,
        "trailing_slash_required",
        f"API URLs end with a slash: send this {method} to {url_with_slash} (nothing was done).",
        {"url": url_with_slash},
    )


def _drf_message(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_drf_message(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_drf_message(item) for item in detail)
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: every error a view raises in the one JSON error shape.

    Returns None for unexpected exceptions, which then reach Django's handler500
    (config.error_views), itself answering JSON under /api/. `Retry-After` (seconds) comes with
    throttling and with any ApplicationError whose details give `retry_after_s` (a 429 limit,
    a 409 `variant_preparing`).
    """
    if isinstance(exc, ApplicationError):
        response = Response({"error": exc.as_dict()}, status=exc.status)
        retry_after_s = exc.details.get("retry_after_s")
        if isinstance(retry_after_s, int):
            response["Retry-After"] = str(retry_after_s)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = exc.default_code if isinstance(exc, exceptions.APIException) else "error"
    details = response.data if isinstance(response.data, dict) else {"errors": response.data}
    details.pop("detail", None)
    response.data = {
        "error": {
            "code": code,
            "message": _drf_message(getattr(exc, "detail", str(exc))),
            "details": details,
        }
    }
    if isinstance(exc, exceptions.Throttled):
        wait_s = max(1, math.ceil(exc.wait or 1))
        response.data["error"]["message"] = (
            "Too many requests in a short time; nothing was done. "
            f"Wait {wait_s} second{'s' if wait_s != 1 else ''} and try again."
        )
        response.data["error"]["details"] = {"retry_after_s": wait_s}
        response["Retry-After"] = str(wait_s)
    return response

"""Maps every API error to one JSON shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from exams.errors import ApplicationError


def _drf_message(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_drf_message(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_drf_message(item) for item in detail)
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.as_dict()}, status=exc.status)
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
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["error"]["message"] += " Wait a moment and try again."
    return response

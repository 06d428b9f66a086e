"""Django's error handlers: JSON in the API's one error shape under /api/, pages elsewhere.

Django calls these for errors raised outside a DRF view: unknown URLs (404), suspicious or
oversized requests (400, 413), permission errors (403) and unexpected exceptions (500).
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views import defaults

from exams.api.errors import api_error_response, is_api_path, request_too_large_response
from frontend.middleware import database_unavailable_response, is_database_unavailable


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, or 413 when the body was over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if not is_api_path(request.path):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return request_too_large_response(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return api_error_response(
        400, "bad_request", "The request could not be read; check its headers and body."
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403."""
    if not is_api_path(request.path):
        return defaults.permission_denied(request, exception)
    return api_error_response(
        403, "permission_denied", "You do not have permission to perform this action."
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL that names nothing."""
    if not is_api_path(request.path):
        return defaults.page_not_found(request, exception)
    return api_error_response(
        404,
        "not_found",
        f"There is no API endpoint at {request.path}; the API's endpoints are listed in its "
        "schema at /api/v1/schema/.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500: our failure, logged by Django before this runs; the client may retry later.

    A database outage met outside a view (in a middleware) is a 503 instead, as in a view.
    """
    exception = sys.exc_info()[1]
    if is_database_unavailable(exception):
        return database_unavailable_response(request, exception)
    if not is_api_path(request.path):
        return defaults.server_error(request)
    return api_error_response(
        500,
        "server_error",
        "Something went wrong on our side; nothing you sent was at fault. Try again later.",
    )

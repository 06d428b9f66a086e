"""Request and response hooks: error pages, the API's body-size limit, security headers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import render
from django.urls import is_valid_path
from django.utils.html import escape

from exams.api.errors import (
    api_error_response,
    is_api_path,
    request_too_large_response,
    trailing_slash_response,
)
from exams.errors import ApplicationError

logger = logging.getLogger(__name__)


class ApplicationErrorPageMiddleware:
    """Shows an ApplicationError raised by a page as a page with its message, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request, "frontend/error.html", {"message": exception.message}, status=exception.status
        )


class ApiBodySizeLimitMiddleware:
    """Refuses an API request whose declared body is over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413.

    The API's parsers read the body as a stream, past Django's own size check, so the limit is
    enforced here on the Content-Length header before any view runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if is_api_path(request.path) and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return request_too_large_response(limit)
        return self.get_response(request)


class TrailingSlashMiddleware:
    """A POST, PUT, PATCH or DELETE to a URL missing its trailing slash is never answered with
    Django's 301 (clients follow it as a GET, losing the body: an LMS posting its launch to
    `/lti/launch` would lose the id_token).

    Under /api/ it gets a 404 `trailing_slash_required` naming the right URL, in the API's
    error shape; elsewhere a 308 to the URL with the slash, which browsers follow with the same
    method and body. GET and HEAD are still redirected by Django's APPEND_SLASH.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if settings.APPEND_SLASH and request.method not in ("GET", "HEAD") and path[-1:] != "/":
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                url = request.get_full_path(force_append_slash=True)
                if is_api_path(request.path):
                    return trailing_slash_response(request.method, url)
                redirect = HttpResponsePermanentRedirect(url)
                redirect.status_code = 308
                return redirect
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuses a URL whose path or query holds a NUL character (`%00`) with a 400.

    No id, slug or filter of the service contains one, and PostgreSQL refuses NUL in text, so
    it would otherwise surface as a 500 wherever such a value reaches a query.
    """

    MESSAGE = (
        "The URL contains a NUL character (%00), which no id, slug or filter value may hold; "
        "remove it and send the request again."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query_values = (text for key, values in request.GET.lists() for text in (key, *values))
        if "\x00" in request.path or any("\x00" in text for text in query_values):
            if is_api_path(request.path):
                return api_error_response(400, "invalid_query", self.MESSAGE)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


DATABASE_UNAVAILABLE_MESSAGE = (
    "The service's database is briefly unavailable, so nothing was done (nothing you sent was "
    "saved). Please try again in a few seconds."
)


def database_unavailable_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 503 (with `Retry-After`) for a request that met a database outage, logged: the
    API's one JSON error shape (`database_unavailable`) under /api/, else a plain page
    rendered without touching the database."""
    retry_after_s = settings.DATABASE_UNAVAILABLE_RETRY_AFTER_S
    logger.error(
        "%s %s: the database is unavailable: %s: %s",
        request.method,
        request.path,
        type(exception).__name__,
        exception,
    )
    if is_api_path(request.path):
        response: HttpResponse = api_error_response(
            503,
            "database_unavailable",
            DATABASE_UNAVAILABLE_MESSAGE,
            {"retry_after_s": retry_after_s},
        )
    else:
        response = HttpResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Try again in a moment</title></head><body><h1>Try again in a moment"
            f"</h1><p>{escape(DATABASE_UNAVAILABLE_MESSAGE)}</p></body></html>",
            status=503,
        )
    response["Retry-After"] = str(retry_after_s)
    return response


def is_database_unavailable(exception: BaseException | None) -> bool:
    """True for the errors of a database that is down, locked past its timeout or whose
    connection was lost (`OperationalError`, `InterfaceError`)."""
    return isinstance(exception, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """Answers a database outage met by a view with `database_unavailable_response` (a 503,
    never a 500). One met outside a view (another middleware) reaches Django's 500 handler,
    which answers the same (`config.error_views.server_error`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        return database_unavailable_response(request, exception)

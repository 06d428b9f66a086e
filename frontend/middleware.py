"""Request and response hooks: error pages, the API's body-size limit, security headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import is_valid_path

from exams.api.errors import is_api_path, request_too_large_response, trailing_slash_response
from exams.errors import ApplicationError


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


class ApiTrailingSlashMiddleware:
    """Answers a POST, PUT, PATCH or DELETE to an API URL missing its trailing slash with a
    404 `trailing_slash_required` naming the right URL, in the API's error shape.

    Django's APPEND_SLASH would answer a 301, which clients follow as a GET (a 405) or without
    the body; GET and HEAD are still redirected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            settings.APPEND_SLASH
            and request.method not in ("GET", "HEAD")
            and is_api_path(request.path)
            and not path.endswith("/")
        ):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                return trailing_slash_response(
                    request.method, request.get_full_path(force_append_slash=True)
                )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

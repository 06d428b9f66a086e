"""Answers the operations endpoints first in the middleware chain.

Health checks and scrapers reach a web process by its container address over plain HTTP:
they must not get a 400 for a Host header outside ALLOWED_HOSTS nor a redirect to HTTPS. The
endpoints build no URL from the Host header and set no cookie, so nothing relies on those
checks here; /metrics without METRICS_TOKEN still validates the host (operations.views).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from exams.api.errors import api_error_response
from operations import views

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": views.metrics,
}
READ_METHODS = ("GET", "HEAD")


class OperationsEndpointsMiddleware:
    """Serves GET/HEAD /healthz, /readyz and /metrics (a trailing slash is allowed); other
    methods get a 405 in the JSON error shape; every other path goes on down the chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info.rstrip("/"))
        if view is None:
            return self.get_response(request)
        if request.method not in READ_METHODS:
            response = api_error_response(
                405,
                "method_not_allowed",
                f"{request.path_info} only answers GET (and HEAD); send a GET request.",
            )
            response["Allow"] = ", ".join(READ_METHODS)
            return response
        return view(request)

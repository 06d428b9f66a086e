"""Login lock-outs (django-axes): whose address a login comes from, and the page refusing it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


def client_address(request: HttpRequest) -> str | None:
    """The address a login comes from, as the outermost trusted proxy saw it.

    With TRUSTED_PROXY_COUNT = N proxies in front (each appending the address it saw to
    X-Forwarded-For), the client is the N-th entry from the right; entries further left were
    written by the client and are ignored. Without proxies it is REMOTE_ADDR. Called by
    django-axes (AXES_CLIENT_IP_CALLABLE).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_minutes() -> int:
    """How long, in whole minutes (at least 1), a lock-out lasts after the last failed login."""
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """A 429 login page saying why the attempt was refused and when to try again.

    Called by django-axes (AXES_LOCKOUT_CALLABLE) for the site's and the admin's login alike.
    """
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": lockout_minutes()},
        status=LOCKED_OUT_STATUS,
    )

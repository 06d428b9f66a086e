"""The page shown instead of a login form while an account or an address is locked out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


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

"""Who may call a view: signed-in users everywhere; course API keys only where a view says so."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api_keys.authentication import request_api_key


class IsSignedInUser(BasePermission):
    """A signed-in user (session or token). The API's default: a course API key is refused
    with a message, since these endpoints act as the signed-in student themselves."""

    message = (
        "This endpoint acts as a signed-in user (session or personal token) and does not take a "
        "course API key; see docs/lms.md for the endpoints a key can call."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        """True for an authenticated user account."""
        return bool(request.user and request.user.is_authenticated)


class IsUserOrCourseKey(BasePermission):
    """A signed-in user or a valid course API key (which course it reaches is checked by
    `api_keys.access`)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """True for an authenticated user or a request authenticated with a course key."""
        return request_api_key(request) is not None or bool(
            request.user and request.user.is_authenticated
        )

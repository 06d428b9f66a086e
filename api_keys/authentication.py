"""DRF authentication with a course API key: `Authorization: Api-Key <key>`.

After it, `request.auth` is the CourseAPIKey and `request.user` a CourseAPIKeyPrincipal: an
anonymous user (no account, no permissions) that carries the key's course. Views that accept
keys say so with `api_keys.permissions.IsUserOrCourseKey`; the rest refuse them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api_keys import services
from api_keys.models import CourseAPIKey

KEYWORD = "Api-Key"


class CourseAPIKeyPrincipal(AnonymousUser):
    """Who a request made with a course API key acts as: no user, one course."""

    is_course_api_key = True

    def __init__(self, api_key: CourseAPIKey) -> None:
        super().__init__()
        self.api_key = api_key
        self.course = api_key.course

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix} of {self.course.slug}"


class CourseAPIKeyAuthentication(BaseAuthentication):
    """Authenticates `Authorization: Api-Key <key>`; other requests are left to the next class.

    Raises AuthenticationFailed (401) with a message for a malformed header, an unknown key,
    or a revoked or expired one.
    """

    def authenticate(self, request: Request) -> tuple[CourseAPIKeyPrincipal, CourseAPIKey] | None:
        """(principal, key) for a valid key; None when the request names no API key."""
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                f"Send the key as one word after the keyword: 'Authorization: {KEYWORD} <key>'."
            )
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "That API key is not valid (keys are plain ASCII)."
            ) from None
        api_key = services.api_key_check(key=key)
        return CourseAPIKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        """The WWW-Authenticate challenge sent with a 401."""
        return f'{KEYWORD} realm="api"'


def request_api_key(request: Any) -> CourseAPIKey | None:
    """The course API key a DRF request was authenticated with, else None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, CourseAPIKey) else None

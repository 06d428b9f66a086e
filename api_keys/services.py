"""Writes on course API keys: creating, checking (which records use), revoking."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions

from api_keys.models import CourseAPIKey
from exams.errors import ApplicationError
from exams.models import Course

# `last_used_at` is written at most once per this interval per key, so a busy client costs
# one UPDATE a minute, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_create(*, course: Course, name: str) -> tuple[CourseAPIKey, str]:
    """Create a key for the course; returns (row, key). The key is not stored: show it once.

    Raises ApplicationError (400, `invalid_name`) when the name is empty or too long.
    """
    name = name.strip()
    limit = CourseAPIKey._meta.get_field("name").max_length
    if not name or len(name) > limit:
        raise ApplicationError(
            f"Give the key a name of 1 to {limit} characters (e.g. 'Canvas portal').",
            code="invalid_name",
        )
    return CourseAPIKey.objects.create_key(course=course, name=name)


def api_key_revoke(*, api_key: CourseAPIKey) -> CourseAPIKey:
    """Revoke the key for good: requests with it are refused (401) from now on."""
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
    return api_key


def api_key_check(*, key: str) -> CourseAPIKey:
    """The usable key matching `key`, its `last_used_at` brought up to date (to the minute).

    Raises rest_framework.exceptions.AuthenticationFailed (401) with a message when no key
    matches, or when the matching key is revoked or has expired.
    """
    prefix, _, _ = key.partition(".")
    api_key = CourseAPIKey.objects.select_related("course").filter(prefix=prefix).first()
    if api_key is None or not api_key.is_valid(key):
        raise exceptions.AuthenticationFailed(
            "That API key is not valid; check it was copied whole (prefix.secret), or ask the "
            "course's administrator for a new key."
        )
    if api_key.revoked:
        raise exceptions.AuthenticationFailed(
            f"The API key '{api_key.name}' was revoked; ask the course's administrator for a "
            "new key."
        )
    if api_key.has_expired:
        raise exceptions.AuthenticationFailed(
            f"The API key '{api_key.name}' expired on {api_key.expiry_date:%Y-%m-%d %H:%M} UTC; "
            "ask the course's administrator for a new key."
        )
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        CourseAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key

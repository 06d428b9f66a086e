"""Course API keys: how a machine client (an LMS, a portal's script) calls the REST API.

Built on djangorestframework-api-key: only a hash of the key is stored; the key itself is
shown once, when it is created (admin or `manage.py course_api_key create`). A key acts for
one course and may be revoked (for good); `last_used_at` records when it was last accepted.
"""

from __future__ import annotations

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from exams.models import Course


class CourseAPIKeyManager(BaseAPIKeyManager):
    """The library's manager (`create_key(...) -> (row, key)`) for course keys."""


class CourseAPIKey(AbstractAPIKey):
    """A hashed, named, revocable key that acts for one course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a request with this key was last accepted (to the minute).",
    )

    objects = CourseAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "course API key"
        verbose_name_plural = "course API keys"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.course.slug})"

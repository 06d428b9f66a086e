"""Course API keys in the admin: created with a name and a course, the key shown once (a
message after saving), revocable, never shown again. The library's own course-less APIKey is
not offered: only course keys authenticate."""

from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from api_keys.models import CourseAPIKey

if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(CourseAPIKey)
class CourseAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [
        "prefix",
        "name",
        "course",
        "created",
        "last_used_at",
        "expiry_date",
        "_has_expired",
        "revoked",
    ]
    list_filter = ["course", "revoked", "created"]
    search_fields = ["name", "prefix", "course__slug"]
    list_select_related = ["course"]

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201 - Django's signature
        """The library's read-only fields, plus the course once the key exists (a key moves to
        no other course) and when it was last used."""
        fields = tuple(super().get_readonly_fields(request, obj)) + ("last_used_at",)
        return fields + ("course",) if obj is not None else fields

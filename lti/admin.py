"""Admin for what ties LTI to Tensorgrade; registrations and deployments are django-lti's
admin (LTI tool → LTI registrations, deployments inline)."""

from django.contrib import admin
from lti_tool.models import Key

from lti.models import LtiAttemptLaunch, LtiContextCourse, LtiTarget


@admin.register(LtiContextCourse)
class LtiContextCourseAdmin(admin.ModelAdmin):
    list_display = ["context", "course", "created_at"]
    raw_id_fields = ["context"]
    autocomplete_fields = ["course"]


@admin.register(LtiTarget)
class LtiTargetAdmin(admin.ModelAdmin):
    list_display = ["resource_link", "course", "paper", "question", "mode", "updated_at"]
    list_filter = ["mode", "course"]
    raw_id_fields = ["resource_link", "paper", "question"]


@admin.register(LtiAttemptLaunch)
class LtiAttemptLaunchAdmin(admin.ModelAdmin):
    list_display = ["lti_user", "resource_link", "attempt", "first_launched_at", "last_launched_at"]
    readonly_fields = ["resource_link", "lti_user", "attempt", "first_launched_at"]


@admin.register(Key)
class KeyAdmin(admin.ModelAdmin):
    """The tool's signing keys (its JWKS): made and retired by `manage.py rotate_keys`."""

    list_display = ["__str__", "is_active", "datetime_created"]
    fields = ["public_key", "is_active", "datetime_created"]
    readonly_fields = ["public_key", "datetime_created"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from exams.errors import ApplicationError
from lti_grades import services
from lti_grades.models import ScorePassback


@admin.register(ScorePassback)
class ScorePassbackAdmin(admin.ModelAdmin):
    list_display = ["pk", "course", "lti_user", "line_item", "status", "tries", "sent_at", "error"]
    list_filter = ["status", "course"]
    search_fields = ["lti_user__sub", "lti_user__name", "line_item__label", "error"]
    readonly_fields = [
        f.name for f in ScorePassback._meta.get_fields() if getattr(f, "concrete", False)
    ]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Scores are recorded by marking, never typed in."""
        return False

    @admin.action(description="Resend the selected failed scores")
    def resend(self, request: HttpRequest, queryset: QuerySet[ScorePassback]) -> None:
        """Queue each failed (or retrying) score to be sent again; others are left alone."""
        sent = skipped = 0
        for passback in queryset:
            try:
                services.passback_resend(passback=passback)
            except ApplicationError:
                skipped += 1
            else:
                sent += 1
        messages.info(request, f"{sent} queued to be sent again; {skipped} skipped (not failed).")

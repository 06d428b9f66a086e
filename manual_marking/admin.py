from django.contrib import admin
from django.http import HttpRequest

from manual_marking.models import ManualMark


@admin.register(ManualMark)
class ManualMarkAdmin(admin.ModelAdmin):
    """Marks given by hand, read only: they are given from the marking pages, which apply
    them to the submission (editing a row here would not)."""

    list_display = ["pk", "submission", "part_label", "score", "source", "marked_by", "current"]
    list_filter = ["source", "current"]
    search_fields = ["submission__student__username", "part_label", "comment"]
    readonly_fields = [
        f.name for f in ManualMark._meta.get_fields() if getattr(f, "concrete", False)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Marks are given from the marking pages, which apply them to the submission."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: ManualMark | None = None) -> bool:
        """Read only: a changed row would no longer match the submission's score."""
        return False

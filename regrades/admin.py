"""Regrade jobs in /admin/: read-only (jobs are started from the instructor's page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from regrades.models import RegradeItem, RegradeJob


class RegradeItemInline(admin.TabularInline):
    model = RegradeItem
    extra = 0
    can_delete = False
    fields = ("submission", "old_status", "old_score", "new_status", "new_score", "changed")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: RegradeJob | None = None) -> bool:
        return False


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "course", "question", "paper", "status", "done", "total", "changed")
    list_filter = ("status", "course")
    readonly_fields = [field.name for field in RegradeJob._meta.fields]
    inlines = [RegradeItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

from django.contrib import admin

from exams.models import (
    Attempt,
    Course,
    Membership,
    Paper,
    PaperQuestion,
    Part,
    Question,
    QuestionVersion,
    RosterLink,
    Submission,
    Variant,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "created_at"]
    search_fields = ["slug", "title"]
    filter_horizontal = ["questions"]
    inlines = [MembershipInline]


@admin.register(RosterLink)
class RosterLinkAdmin(admin.ModelAdmin):
    """Which account each roster external id stands for, kept after the member is removed.
    Deleting a link frees the external id: the next PUT of it creates a new account."""

    list_display = ["course", "external_id", "user", "created_account", "created_at"]
    list_filter = ["course", "created_account"]
    search_fields = ["external_id", "user__username", "course__slug"]
    readonly_fields = list_display

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201 - Django's signature
        """Links are made by the roster API only."""
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        """A link is never re-pointed at another account (delete it instead)."""
        return False


class PartInline(admin.TabularInline):
    model = Part
    extra = 0
    readonly_fields = [
        "order",
        "label",
        "source_part",
        "display_name",
        "marks",
        "kind",
        "quantity",
        "rule",
    ]
    fields = readonly_fields
    can_delete = False


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ["question", "number", "content_hash", "created_at"]
    list_filter = ["question"]
    readonly_fields = ["content_hash", "quantity_feeds", "created_at"]
    inlines = [PartInline]


class QuestionVersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    fields = ["number", "content_hash", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "topic", "source"]
    list_filter = ["topic"]
    search_fields = ["slug", "title", "source"]
    inlines = [QuestionVersionInline]


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["version", "seed", "is_paper", "state", "retired", "created_at"]
    list_filter = ["state", "is_paper", "retired"]
    readonly_fields = [
        "version",
        "seed",
        "is_paper",
        "state",
        "build_error",
        "build_requested_at",
        "params",
        "reference",
        "created_at",
    ]
    # The author runs (hidden tests' expected outputs, base64 arrays) are written by the
    # engine alone; an edited copy would mark against wrong outputs.
    exclude = ["author_runs"]


class PaperQuestionInline(admin.TabularInline):
    model = PaperQuestion
    extra = 1


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "time_limit_minutes"]
    list_filter = ["course"]
    inlines = [PaperQuestionInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["student", "question", "paper", "number", "mode", "started_at", "finished_at"]
    list_filter = ["mode", "course"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["pk", "student", "variant", "status", "score", "max_score", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["created_at", "grading_started_at", "graded_at", "grading_runs"]

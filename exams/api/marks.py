"""GET /courses/<slug>/marks/: per student per paper attempt, the score, its maximum, where the
marking stands and when it last changed; for syncing a gradebook (`updated_since`, cursor)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_access_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors
from exams.api.common import (
    PAGE_SIZE_PARAMETER,
    READ_ERRORS,
    CheckedCursorPagination,
    StudentOutput,
    course_external_ids,
    listed_student,
    query_text,
    student_ref,
)
from exams.api.schema import error_responses
from exams.errors import ApplicationError
from exams.models import Attempt
from exams.presentation import results_visible


class MarkOutput(serializers.Serializer):
    attempt = serializers.IntegerField()
    paper = serializers.SlugField()
    student = StudentOutput()
    mode = serializers.ChoiceField(choices=Attempt.Mode.values)
    score = serializers.FloatField(
        allow_null=True,
        help_text="Marks earned, scaled to the paper's marks (latest answer per question); "
        "null while the results are not released (see `results_released`), for everyone.",
    )
    results_released = serializers.BooleanField(
        help_text="False while the student may not see these marks yet: an exam sitting still "
        "open, or practice on an open exam's original numbers. The score is then null (held "
        "back like the student's own view and the LTI grade passback); it appears once the "
        "sitting closes."
    )
    max_score = serializers.FloatField(help_text="The paper's marks.")
    status = serializers.ChoiceField(
        choices=["in_progress", "pending", "marked", "failed"],
        help_text="in_progress: the attempt is open; pending: closed, answers (or free-text "
        "parts) still being marked; marked: every latest answer marked; failed: an answer "
        "could not be marked because of the question (an instructor re-marks it).",
    )
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(
        help_text="The latest of start, finish, a submission and a mark."
    )


class MarkPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MarkOutput(many=True)


class OldestChangeFirstCursorPagination(CheckedCursorPagination):
    """Oldest change first, so a client keeps the last `updated_at` it saw for next time."""

    ordering = ("updated_at", "pk")


def _updated_since(text: str) -> datetime | None:
    """The `updated_since` moment in UTC (naive text is read as UTC), None when absent.

    Raises ApplicationError (400, `invalid_query`) for text that is not an ISO 8601 date-time,
    names a date that does not exist, or falls outside the years 1 to 9999 in UTC."""
    if not text:
        return None
    problem = "updated_since must be an ISO 8601 date-time, e.g. 2026-09-01T12:00:00Z"
    try:
        moment = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        raise ApplicationError(
            f"{problem}; '{text}' names no real date or time.", code="invalid_query"
        ) from None
    if moment is None:
        raise ApplicationError(f"{problem}.", code="invalid_query")
    try:
        return (moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise ApplicationError(
            f"{problem}; '{text}' is outside the years 1 to 9999 in UTC.", code="invalid_query"
        ) from None


def _results_released(attempt: Attempt) -> bool:
    """Whether the attempt's marks are released: an exam once it has closed, and every latest
    answer's results visible to the student (exams.presentation.results_visible)."""
    if attempt.mode == Attempt.Mode.EXAM and not attempt.is_closed(timezone.now()):
        return False
    latest = [
        selectors.latest_submission(attempt=attempt, question=question)
        for question, _ in selectors.attempt_questions(attempt=attempt)
    ]
    return all(results_visible(s) for s in latest if s is not None)


def _mark_data(attempt: Attempt, *, external_ids: dict[int, str]) -> dict:
    score, out_of = selectors.paper_attempt_score(attempt=attempt)
    released = _results_released(attempt)
    return {
        "attempt": attempt.pk,
        "paper": attempt.paper.slug,
        "student": student_ref(attempt.student, external_ids),
        "mode": attempt.mode,
        "score": score if released else None,
        "results_released": released,
        "max_score": out_of,
        "status": selectors.paper_attempt_marking_status(attempt=attempt),
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "updated_at": attempt.updated_at,
    }


class CourseMarkListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_mark_list",
        parameters=[
            OpenApiParameter("paper", str, description="Slug of a paper."),
            OpenApiParameter("student", str, description="External id of a student."),
            OpenApiParameter(
                "updated_since", str, description="ISO 8601; only attempts changed after it."
            ),
            OpenApiParameter("cursor", str, description="From `next` or `previous`."),
            PAGE_SIZE_PARAMETER,
        ],
        responses={200: MarkPageOutput, **error_responses(400, *READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """Marks of paper attempts in the course: every student's for the key and instructors,
        one's own for a student."""
        access = course_access_for_request(request, slug)
        course, params = access.course, request.query_params
        student = listed_student(access, request)
        paper_slug = query_text(params, "paper")
        attempts = selectors.course_paper_attempt_marks(
            course=course,
            paper=selectors.course_paper_get(course=course, slug=paper_slug)
            if paper_slug
            else None,
            student=student,
            updated_since=_updated_since(query_text(params, "updated_since", 64)),
        )
        paginator = OldestChangeFirstCursorPagination()
        page = paginator.paginate_queryset(attempts, request, view=self)
        external_ids = course_external_ids(course)
        data = MarkOutput(
            [_mark_data(a, external_ids=external_ids) for a in page],
            many=True,
        ).data
        return paginator.get_paginated_response(data)

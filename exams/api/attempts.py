"""Attempts in a course: list them (filter by student, paper, question, mode), start or resume
one for a student (course API key, instructor) or for oneself (student), and show the variant
of an attempt's question (statement and parts, never answers)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import (
    API_KEY_ROLE,
    attempt_for_request,
    course_access_for_request,
)
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors, services
from exams.api.common import (
    PAGE_SIZE_PARAMETER,
    READ_ERRORS,
    NewestFirstCursorPagination,
    course_external_ids,
    listed_student,
    named_student,
    query_text,
    student_ref,
)
from exams.api.schema import error_responses
from exams.api.serializers import AttemptSummaryOutput, AttemptVariantOutput
from exams.api.throttles import AttemptStartThrottle
from exams.errors import ApplicationError, NotFoundError
from exams.models import Attempt
from exams.presentation import variant_public


class AttemptStartInput(serializers.Serializer):
    question = serializers.SlugField(required=False, help_text="A question to practise.")
    paper = serializers.SlugField(required=False, help_text="A paper to practise or sit.")
    mode = serializers.ChoiceField(
        choices=Attempt.Mode.values,
        default=Attempt.Mode.PRACTICE,
        help_text="`exam` (papers only): the one sitting, timed; resumed if already started.",
    )
    student = serializers.CharField(
        required=False,
        max_length=255,
        help_text="External id of the student (required with a course API key; instructors "
        "may name one; students start their own).",
    )
    resume = serializers.BooleanField(
        default=True,
        help_text="Return the student's latest open attempt at the same question or paper "
        "in this mode, if any, instead of starting a new one.",
    )


class CourseAttemptPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AttemptSummaryOutput(many=True)


def attempt_data(attempt: Attempt, request: Request, external_ids: dict[int, str]) -> dict:
    """An attempt as the LMS resources show it (no variants are drawn to list it)."""
    absolute = request.build_absolute_uri
    deadline = attempt.deadline
    return {
        "id": attempt.pk,
        "number": attempt.number,
        "mode": attempt.mode,
        "course": attempt.course.slug,
        "question": attempt.question.slug if attempt.question else None,
        "paper": attempt.paper.slug if attempt.paper else None,
        "student": student_ref(attempt.student, external_ids),
        "started_at": attempt.started_at,
        "deadline": deadline,
        "finished_at": attempt.finished_at,
        "closed": attempt.is_closed(timezone.now()),
        "questions": [
            {
                "question": question.slug,
                "title": question.title,
                "marks_in_paper": marks,
                "variant_url": absolute(
                    reverse("api:attempt-variant", args=[attempt.pk, question.slug])
                ),
            }
            for question, marks in selectors.attempt_questions(attempt=attempt)
        ],
        "url": absolute(reverse("api:attempt-detail", args=[attempt.pk])),
        "submissions_url": absolute(reverse("api:attempt-submissions", args=[attempt.pk])),
    }


class CourseAttemptListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    def get_throttles(self) -> list:
        """Starting an attempt counts against the student's attempt rate; listing does not."""
        return [AttemptStartThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="course_attempt_list",
        parameters=[
            OpenApiParameter("student", str, description="External id of a student."),
            OpenApiParameter("paper", str, description="Slug of a paper."),
            OpenApiParameter("question", str, description="Slug of a single question."),
            OpenApiParameter("mode", str, enum=Attempt.Mode.values),
            OpenApiParameter("cursor", str, description="From `next` or `previous`."),
            PAGE_SIZE_PARAMETER,
        ],
        responses={200: CourseAttemptPageOutput, **error_responses(400, *READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """Attempts in the course, newest first: all for the key and instructors, one's own
        for a student."""
        access = course_access_for_request(request, slug)
        course, params = access.course, request.query_params
        student = listed_student(access, request)
        paper_slug, question_slug = query_text(params, "paper"), query_text(params, "question")
        mode = query_text(params, "mode")
        if "mode" in params and mode not in Attempt.Mode.values:
            raise ApplicationError(
                f"mode must be one of {', '.join(Attempt.Mode.values)}.", code="invalid_query"
            )
        attempts = selectors.course_attempt_list(
            course=course,
            student=student,
            paper=selectors.course_paper_get(course=course, slug=paper_slug)
            if paper_slug
            else None,
            question=selectors.course_question_get(course=course, slug=question_slug)
            if question_slug
            else None,
            mode=mode or None,
        )
        paginator = NewestFirstCursorPagination()
        page = paginator.paginate_queryset(attempts, request, view=self)
        external_ids = course_external_ids(course)
        data = AttemptSummaryOutput(
            [attempt_data(a, request, external_ids) for a in page], many=True
        ).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="course_attempt_start",
        request=AttemptStartInput,
        responses={
            200: OpenApiResponse(AttemptSummaryOutput, description="An open attempt, resumed."),
            201: OpenApiResponse(AttemptSummaryOutput, description="A new attempt."),
            **error_responses(400, *READ_ERRORS, 409, 429),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """Start or resume an attempt at a question or paper of the course for a student."""
        access = course_access_for_request(request, slug)
        course = access.course
        data = AttemptStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "student" in values:
            student = named_student(access, request, values["student"])
        elif access.role == API_KEY_ROLE:
            raise ApplicationError(
                "Name the student by their external id ('student'): a course API key starts "
                "attempts for enrolled students.",
                code="student_required",
            )
        else:
            student = request.user
        attempt, created = services.attempt_start_or_resume(
            student=student,
            course=course,
            mode=values["mode"],
            question=selectors.course_question_get(course=course, slug=values["question"])
            if "question" in values
            else None,
            paper=selectors.course_paper_get(course=course, slug=values["paper"])
            if "paper" in values
            else None,
            resume=values["resume"],
        )
        body = AttemptSummaryOutput(
            attempt_data(attempt, request, course_external_ids(course))
        ).data
        return Response(
            body,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": body["url"]},
        )


class AttemptVariantView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="attempt_variant",
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                location=OpenApiParameter.HEADER,
                response=[409],
                description="Seconds to wait before asking again (`variant_preparing`).",
            )
        ],
        responses={
            200: AttemptVariantOutput,
            **error_responses(
                400,
                *READ_ERRORS,
                409,
                503,
                notes={
                    409: "`variant_preparing`: the variant is still being built in the "
                    "background; ask again after `Retry-After` seconds (also "
                    "`details.retry_after_s`). `variant_failed`: the question's own code "
                    "failed to build it (the instructor sees why). `exam_in_progress`, "
                    "`variants_retired`, `question_not_synced`.",
                },
            ),
        },
    )
    def get(self, request: Request, attempt_id: int, question_slug: str) -> Response:
        """The variant the attempt's student has for a question: statement and parts only
        (409 `variant_preparing` with `Retry-After` until it is built)."""
        attempt = attempt_for_request(request, attempt_id)
        question = next(
            (q for q, _ in selectors.attempt_questions(attempt=attempt) if q.slug == question_slug),
            None,
        )
        if question is None:
            raise NotFoundError(f"Attempt {attempt.pk} has no question '{question_slug}'.")
        variant = services.attempt_variant_ready(attempt=attempt, question=question)
        return Response(
            AttemptVariantOutput({"attempt": attempt.pk, **variant_public(variant)}).data
        )

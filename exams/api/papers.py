"""GET /courses/<slug>/papers/ and /courses/<slug>/papers/<paper>/: a course's papers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_access_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors
from exams.api.common import READ_ERRORS
from exams.api.schema import error_responses
from exams.models import Paper


class PaperQuestionOutput(serializers.Serializer):
    order = serializers.IntegerField()
    question = serializers.SlugField()
    title = serializers.CharField()
    marks = serializers.FloatField(help_text="Marks the paper gives this question.")


class PaperOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    time_limit_minutes = serializers.IntegerField(
        allow_null=True, help_text="An exam sitting closes this long after it starts."
    )
    use_original_numbers = serializers.BooleanField(
        help_text="Every sitting gets the original exam's numbers."
    )
    max_marks = serializers.FloatField()
    questions = PaperQuestionOutput(many=True)


def paper_data(paper: Paper) -> dict:
    """A paper as the API shows it."""
    items = [
        {
            "order": item.order,
            "question": item.question.slug,
            "title": item.question.title,
            "marks": float(item.marks),
        }
        for item in paper.items.select_related("question").order_by("order")
    ]
    return {
        "slug": paper.slug,
        "title": paper.title,
        "time_limit_minutes": paper.time_limit_minutes,
        "use_original_numbers": paper.use_original_numbers,
        "max_marks": sum(item["marks"] for item in items),
        "questions": items,
    }


class CoursePaperListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_paper_list",
        responses={200: PaperOutput(many=True), **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """The course's papers with their questions and marks."""
        course = course_access_for_request(request, slug).course
        return Response(
            PaperOutput(
                [paper_data(paper) for paper in selectors.course_paper_list(course=course)],
                many=True,
            ).data
        )


class CoursePaperDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_paper_detail",
        responses={200: PaperOutput, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str, paper_slug: str) -> Response:
        """One paper of the course."""
        course = course_access_for_request(request, slug).course
        paper = selectors.course_paper_get(course=course, slug=paper_slug)
        return Response(PaperOutput(paper_data(paper)).data)

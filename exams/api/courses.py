"""GET /courses/<slug>/: one course, for its API key or a member."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_access_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams.api.common import READ_ERRORS
from exams.api.schema import error_responses


class CourseDetailOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    role = serializers.ChoiceField(
        choices=["api_key", "instructor", "student"],
        help_text="How the request reaches the course.",
    )
    submissions_per_window = serializers.IntegerField(
        help_text="Submissions one student may make in the course per window."
    )
    submission_window_seconds = serializers.IntegerField(help_text="The window, in seconds.")


class CourseDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_detail",
        responses={200: CourseDetailOutput, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """One course: the key's own, or one the signed-in user is a member of."""
        access = course_access_for_request(request, slug)
        course = access.course
        return Response(
            CourseDetailOutput(
                {
                    "slug": course.slug,
                    "title": course.title,
                    "role": access.role,
                    "submissions_per_window": course.submissions_per_window,
                    "submission_window_seconds": course.submission_window_seconds,
                }
            ).data
        )

"""POST /courses/<slug>/regrade/: mark submissions again in the background (course API key or
instructor): one submission, or every submission of a question or of a paper's attempts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors, services
from exams.api.common import READ_ERRORS
from exams.api.schema import error_responses
from exams.errors import ApplicationError, NotFoundError


class RegradeInput(serializers.Serializer):
    submission = serializers.IntegerField(required=False, min_value=1)
    question = serializers.SlugField(required=False)
    paper = serializers.SlugField(required=False)
    student = serializers.CharField(
        required=False, max_length=255, help_text="Only this student's (external id)."
    )


class RegradeOutput(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Submissions put back in the grading queue.")
    skipped_in_progress = serializers.IntegerField(
        help_text="Submissions left alone because they are being marked already."
    )
    submission_ids = serializers.ListField(child=serializers.IntegerField())


class CourseRegradeView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_regrade",
        request=RegradeInput,
        responses={202: RegradeOutput, **error_responses(400, *READ_ERRORS, 503)},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Queue submissions for marking again; their new marks replace the old ones."""
        course = course_for_request(request, slug)
        data = RegradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        targets = [name for name in ("submission", "question", "paper") if name in values]
        if len(targets) != 1:
            raise ApplicationError(
                "Name exactly one of 'submission' (an id), 'question' or 'paper' (slugs) to "
                "re-mark.",
                code="invalid_regrade",
            )
        submissions = selectors.course_submission_list(
            course=course,
            submission_id=values.get("submission"),
            question=selectors.course_marked_question_get(course=course, slug=values["question"])
            if "question" in values
            else None,
            paper=selectors.course_paper_get(course=course, slug=values["paper"])
            if "paper" in values
            else None,
        )
        if "student" in values:
            member = selectors.course_enrolment_get(course=course, external_id=values["student"])
            submissions = submissions.filter(student=member.user)
        if "submission" in values and not submissions.exists():
            raise NotFoundError(f"No submission {values['submission']} in course '{slug}'.")
        queued, in_flight = services.submissions_regrade(submissions=submissions)
        return Response(
            RegradeOutput(
                {
                    "queued": len(queued),
                    "skipped_in_progress": len(in_flight),
                    "submission_ids": queued,
                }
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )

"""GET /courses/<slug>/questions/<question>/: one question of a course, its parts, and (only
for the course's API key and instructors) its reference answers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_access_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors, services
from exams.api.common import READ_ERRORS
from exams.api.schema import error_responses
from exams.models import Question


class QuestionPartOutput(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.CharField()
    marks = serializers.FloatField()
    quantity = serializers.CharField(allow_blank=True)


class QuestionPartAnswerOutput(QuestionPartOutput):
    model_answer = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The reference answer (template); instructors and keys only.",
    )
    rubric = serializers.CharField(
        required=False, allow_blank=True, help_text="Instructors and keys only."
    )
    rule = serializers.DictField(
        required=False, help_text="How the part is marked; instructors and keys only."
    )


class QuestionOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    topic = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    max_score = serializers.FloatField()
    parts = QuestionPartOutput(many=True)


class QuestionWithAnswersOutput(QuestionOutput):
    """What the course's API key and instructors see: the reference answers too."""

    solution_template = serializers.CharField(
        required=False, allow_blank=True, help_text="Instructors and keys only."
    )
    parts = QuestionPartAnswerOutput(many=True)


def _question_data(question: Question, *, with_answers: bool) -> dict:
    version = services.question_current_version(question=question)
    parts = []
    for part in version.parts.all():
        data = {
            "label": part.label,
            "kind": part.kind,
            "marks": float(part.marks),
            "quantity": part.quantity,
        }
        if with_answers:
            data.update(model_answer=part.model_answer, rubric=part.rubric, rule=part.rule)
        parts.append(data)
    data = {
        "slug": question.slug,
        "title": question.title,
        "topic": question.topic,
        "source": question.source,
        "version": version.number,
        "max_score": version.max_score,
        "parts": parts,
    }
    if with_answers:
        data["solution_template"] = version.solution_template
    return data


class CourseQuestionDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_question_detail",
        responses={
            200: QuestionWithAnswersOutput,
            **error_responses(*READ_ERRORS, 409),
        },
        description="Students get the question without `solution_template` and without the "
        "parts' `model_answer`, `rubric` and `rule`.",
    )
    def get(self, request: Request, slug: str, question_slug: str) -> Response:
        """One question of the course; reference answers only for the key and instructors."""
        access = course_access_for_request(request, slug)
        question = selectors.course_question_get(course=access.course, slug=question_slug)
        serializer = QuestionWithAnswersOutput if access.is_staff else QuestionOutput
        return Response(serializer(_question_data(question, with_answers=access.is_staff)).data)

"""API of the autosave: read and save the draft answers of one question of an attempt."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autosave import selectors, services
from autosave.models import AnswerDraft
from exams import selectors as exam_selectors
from exams.api.schema import error_responses
from exams.api.serializers import AnswersField
from exams.errors import NotFoundError
from exams.models import Attempt, Question
from exams.services.variants import attempt_variant


class DraftSaveInput(serializers.Serializer):
    answers = AnswersField(
        help_text="Answer text for the parts to save, by part label; parts left out keep "
        'their saved text, e.g. {"a": "0.81"}.'
    )


class DraftOutput(serializers.Serializer):
    question = serializers.SlugField()
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Every part typed so far: answer text per part label.",
    )
    saved_at = serializers.DateTimeField(allow_null=True, help_text="Null before any save.")
    revision = serializers.IntegerField(help_text="Number of saves so far (0 before any).")
    format_problems = serializers.DictField(
        child=serializers.CharField(),
        help_text="Part label → why its saved answer cannot be read yet (fix it while there "
        "is time: at time up it would be marked as a format error). Empty parts are "
        "unanswered, not problems.",
    )


def _draft_data(*, question: Question, draft: AnswerDraft | None, problems: dict[str, str]) -> dict:
    return {
        "question": question.slug,
        "answers": draft.answers if draft else {},
        "saved_at": draft.saved_at if draft else None,
        "revision": draft.revision if draft else 0,
        "format_problems": problems,
    }


def _attempt_and_question(request: Request, attempt_id: int, slug: str) -> tuple[Attempt, Question]:
    """The user's own attempt (instructors: one in their course) and a question of it.

    Raises NotFoundError (404) for someone else's attempt or a question not in it."""
    attempt = exam_selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    for question, _marks in exam_selectors.attempt_questions(attempt=attempt):
        if question.slug == slug:
            return attempt, question
    raise NotFoundError(f"Attempt {attempt_id} has no question '{slug}'.")


class AttemptDraftView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="attempt_draft_get",
        summary="Read the saved answers of a question",
        responses={200: DraftOutput, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, attempt_id: int, question_slug: str) -> Response:
        """The answers saved as typed for one question of your attempt (none before any save)."""
        attempt, question = _attempt_and_question(request, attempt_id, question_slug)
        draft = selectors.draft_get(attempt=attempt, question=question)
        problems = {}
        if draft is not None:
            variant = attempt_variant(attempt=attempt, question=question)
            problems = selectors.draft_format_problems(variant=variant, answers=draft.answers)
        return Response(
            DraftOutput(_draft_data(question=question, draft=draft, problems=problems)).data
        )

    @extend_schema(
        operation_id="attempt_draft_save",
        summary="Save answers as they are typed (autosave)",
        request=DraftSaveInput,
        responses={
            200: DraftOutput,
            **error_responses(
                400,
                401,
                403,
                404,
                409,
                notes={
                    400: "`attempt_closed` (finished, or past a timed sitting's deadline and "
                    "grace; `details.closed_at` says when it closed), `invalid_answers`.",
                    403: "`not_your_attempt`: only the attempt's student saves answers.",
                },
            ),
        },
    )
    def put(self, request: Request, attempt_id: int, question_slug: str) -> Response:
        """Save the parts given (they replace those parts; others are kept). Nothing is
        marked or counted; the response lists the parts that cannot be read yet."""
        attempt, question = _attempt_and_question(request, attempt_id, question_slug)
        data = DraftSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft, problems = services.draft_save(
            attempt=attempt,
            student=request.user,
            question=question,
            answers=data.validated_data["answers"],
        )
        return Response(
            DraftOutput(_draft_data(question=question, draft=draft, problems=problems)).data
        )

"""REST API views: authenticate, validate input, call a selector or service, present."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import (
    acting_student,
    attempt_for_request,
    course_access_for_request,
    courses_for_request,
    submission_for_request,
)
from api_keys.authentication import request_api_key
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors, services
from exams.api.attempts import attempt_data
from exams.api.common import course_external_ids
from exams.api.idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENT_REPLAYED_HEADER,
    idempotency_headers,
)
from exams.api.schema import error_responses
from exams.api.serializers import (
    AttemptCreateInput,
    AttemptOutput,
    CourseOutput,
    QuestionSummaryOutput,
    SolutionRevealInput,
    SolutionRevealOutput,
    SubmissionAcceptedOutput,
    SubmissionCreateInput,
    SubmissionOutput,
    SubmissionWaitInput,
    VisibleTestsRunInput,
    VisibleTestsRunOutput,
)
from exams.api.throttles import (
    AttemptStartThrottle,
    SubmissionRateThrottle,
    VisibleTestsPartThrottle,
    VisibleTestsRunThrottle,
    one_visible_run_at_a_time,
)
from exams.errors import ApplicationError
from exams.models import Attempt, Question
from exams.presentation import (
    held_variant_state,
    solution_public,
    submission_public,
    variant_public,
    variant_status,
)
from exams.submission_events import submission_wait


def _attempt_payload(attempt: Attempt, request: Request) -> dict:
    """The attempt as the LMS resources show it (exams.api.attempts.attempt_data) plus its
    `variant_status`, `variant_message`, `variant` and `state` per question (the last two null
    until the variant is built) and its `submissions`; `solution_url` only for signed-in users
    (a course key cannot reveal solutions)."""
    payload = attempt_data(attempt, request, course_external_ids(attempt.course))
    questions = selectors.attempt_questions(attempt=attempt)
    for question_payload, (question, _marks) in zip(payload["questions"], questions, strict=True):
        variant = services.attempt_variant(attempt=attempt, question=question)
        built = variant_status(variant)
        question_payload["variant_status"] = built["status"]
        question_payload["variant_message"] = built["message"]
        if variant.is_ready:
            question_payload["variant"] = variant_public(variant)
            question_payload["state"] = held_variant_state(attempt=attempt, variant=variant)
        else:
            services.variant_build_resend_if_stale(variant=variant)
            question_payload["variant"] = None
            question_payload["state"] = None
    payload["submissions"] = [
        submission_public(s) for s in selectors.attempt_submission_list(attempt=attempt)
    ]
    if request_api_key(request) is None:
        payload["solution_url"] = request.build_absolute_uri(
            reverse("api:attempt-solution", args=[attempt.pk])
        )
    return payload


def _paper_question(attempt: Attempt, validated: dict) -> Question | None:
    """The question named in a request to a paper attempt (None when none is named)."""
    if "question" not in validated:
        return None
    return selectors.course_question_get(course=attempt.course, slug=validated["question"])


# Why a request naming a question or a variant of an attempt can conflict (409) or fail on
# our side (503), shared by the endpoints that draw or use the attempt's variant.
VARIANT_NOTES = {
    409: "`variant_preparing` (the variant is still being built in the background: try again "
    "after `Retry-After` seconds, also in `details.retry_after_s`), `variant_failed` (the "
    "question's own code failed to build it: tell the instructor), "
    "`exam_in_progress` (the original exam numbers are in use in an open exam sitting), "
    "`variants_retired` (the instructor withdrew every variant), `question_not_synced`.",
    503: "`variant_unavailable`: a variant needed at once (a re-mark on a new version) could "
    "not be built right now.",
}


PREPARING_RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    int,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="Seconds to wait before asking again; sent while a question's "
    "`variant_status` is `preparing`.",
)


def preparing_headers(payload: dict) -> dict[str, str]:
    """`Retry-After` (seconds) when a question of the attempt payload is still being prepared."""
    if any(q["variant_status"] == "preparing" for q in payload["questions"]):
        return {"Retry-After": str(settings.VARIANT_RETRY_AFTER_S)}
    return {}


class CourseListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(summary="List your courses", responses={200: CourseOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response(
            CourseOutput(
                [
                    {"slug": a.course.slug, "title": a.course.title, "role": a.role}
                    for a in courses_for_request(request)
                ],
                many=True,
            ).data
        )


class CourseQuestionListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        summary="List a course's questions", responses={200: QuestionSummaryOutput(many=True)}
    )
    def get(self, request: Request, slug: str) -> Response:
        course = course_access_for_request(request, slug).course
        questions = selectors.course_question_list(course=course)
        return Response(QuestionSummaryOutput(questions, many=True).data)


class AttemptCreateView(APIView):
    throttle_classes = [AttemptStartThrottle]

    @extend_schema(
        summary="Start an attempt at a question",
        request=AttemptCreateInput,
        parameters=[PREPARING_RETRY_AFTER_HEADER],
        responses={
            201: AttemptOutput,
            **error_responses(404, 409, 503, notes=VARIANT_NOTES),
        },
    )
    def post(self, request: Request) -> Response:
        data = AttemptCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        course, question = selectors.question_get_for_user(
            user=request.user, slug=data.validated_data["question"]
        )
        attempt = services.attempt_start_question(
            student=request.user, course=course, question=question
        )
        payload = _attempt_payload(attempt, request)
        return Response(
            AttemptOutput(payload).data,
            status=status.HTTP_201_CREATED,
            headers=preparing_headers(payload),
        )


class AttemptDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        summary="An attempt: its variants, their state and its submissions",
        parameters=[PREPARING_RETRY_AFTER_HEADER],
        responses={200: AttemptOutput, **error_responses(409, 503, notes=VARIANT_NOTES)},
    )
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = attempt_for_request(request, attempt_id)
        payload = _attempt_payload(attempt, request)
        return Response(AttemptOutput(payload).data, headers=preparing_headers(payload))


class AttemptSubmissionsView(APIView):
    permission_classes = [IsUserOrCourseKey]
    throttle_classes = [SubmissionRateThrottle]

    @extend_schema(
        summary="Submit answers (marked asynchronously)",
        request=SubmissionCreateInput,
        parameters=[IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER],
        responses={
            200: OpenApiResponse(
                SubmissionAcceptedOutput,
                description="The same Idempotency-Key and body as an earlier request: that "
                "submission, not a new one (`Idempotent-Replayed: true`).",
            ),
            202: SubmissionAcceptedOutput,
            **error_responses(
                409,
                503,
                notes={
                    409: "`idempotency_key_reused` (the same Idempotency-Key with another "
                    "body), `solution_shown` (answers on these numbers are no longer scored), "
                    "`variant_retired`; " + VARIANT_NOTES[409],
                    503: VARIANT_NOTES[503],
                },
            ),
        },
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = attempt_for_request(request, attempt_id)
        data = SubmissionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = _paper_question(attempt, data.validated_data)
        outcome = services.submission_submit(
            attempt=attempt,
            student=acting_student(request, attempt),
            answers=data.validated_data["answers"],
            question=question,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        submission = outcome.submission
        status_url = request.build_absolute_uri(
            reverse("api:submission-detail", args=[submission.pk])
        )
        return Response(
            SubmissionAcceptedOutput(
                {"id": submission.pk, "status": submission.status, "status_url": status_url}
            ).data,
            status=status.HTTP_200_OK if outcome.replayed else status.HTTP_202_ACCEPTED,
            headers={"Location": status_url, **idempotency_headers(outcome)},
        )


class VisibleTestsRunView(APIView):
    """Run a code part's visible tests on draft code; nothing is stored and no attempt is used."""

    throttle_classes = [VisibleTestsRunThrottle, VisibleTestsPartThrottle]

    @extend_schema(
        summary="Run a code part's visible tests on draft code",
        request=VisibleTestsRunInput,
        responses={
            200: VisibleTestsRunOutput,
            **error_responses(
                409,
                503,
                notes={
                    409: VARIANT_NOTES[409],
                    503: "`tests_unavailable` (the code-running service is busy or restarting), "
                    "`question_failed` (a fault in the question), `variant_unavailable`.",
                },
            ),
        },
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        data = VisibleTestsRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = _paper_question(attempt, data.validated_data)
        with one_visible_run_at_a_time(request.user.pk):
            result = services.code_visible_tests_run(
                attempt=attempt,
                student=request.user,
                label=data.validated_data["part"],
                source=data.validated_data["source"],
                question=question,
            )
        return Response(
            VisibleTestsRunOutput(
                {
                    "part": result.label,
                    "status": result.status,
                    "visible_points": result.score,
                    "visible_max_points": result.max_score,
                    "feedback": result.feedback,
                    "details": [dict(detail) for detail in result.details],
                    "error_lines": [dict(error) for error in result.error_lines],
                }
            ).data
        )


class SolutionRevealView(APIView):
    """Show the worked solution of the variant held in an attempt (practice: after a marked
    answer, and answers on it are no longer scored afterwards; exam: once results are out)."""

    @extend_schema(
        summary="Show the worked solution",
        request=SolutionRevealInput,
        responses={
            200: SolutionRevealOutput,
            **error_responses(
                409,
                503,
                notes={
                    409: "Not yet: `answer_first` (practice: after a marked answer), "
                    "`exam_open` (when you finish), `exam_in_progress` (once every sitting "
                    "has closed); " + VARIANT_NOTES[409],
                    503: VARIANT_NOTES[503],
                },
            ),
        },
    )
    def post(self, request: Request, attempt_id: int) -> Response:
        attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        data = SolutionRevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.solution_reveal(
            attempt=attempt,
            student=request.user,
            question=_paper_question(attempt, data.validated_data),
        )
        return Response(
            SolutionRevealOutput(
                {
                    "question": assignment.question.slug,
                    "solution_shown_at": assignment.solution_shown_at.isoformat(),
                    **solution_public(assignment.variant),
                }
            ).data
        )


def _wait_seconds(request: Request) -> float:
    """The `wait` of the query in seconds, cut to SUBMISSION_WAIT_MAX_S (0 when absent).

    Raises ApplicationError (400, `invalid_query`) for a value that is not a number of seconds
    from 0 up."""
    # A plain dict: from the query itself DRF would read an empty `wait=` as left out.
    query = SubmissionWaitInput(data={k: request.query_params[k] for k in request.query_params})
    if not query.is_valid():
        longest = f"{settings.SUBMISSION_WAIT_MAX_S:g}"
        raise ApplicationError(
            f"wait must be a number of seconds from 0 up (at most {longest} are waited), e.g. "
            "wait=20; leave it out to get the submission at once.",
            code="invalid_query",
        )
    return min(query.validated_data.get("wait", 0.0), settings.SUBMISSION_WAIT_MAX_S)


class SubmissionDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        summary="A submission: status, mark and feedback (optionally waiting for the mark)",
        parameters=[SubmissionWaitInput],
        responses={
            200: SubmissionOutput,
            **error_responses(
                400, notes={400: "Here: `wait` is not a number of seconds (`invalid_query`)."}
            ),
        },
    )
    def get(self, request: Request, submission_id: int) -> Response:
        wait_s = _wait_seconds(request)
        submission = submission_for_request(request, submission_id)
        submission = submission_wait(submission=submission, wait_s=wait_s)
        return Response(SubmissionOutput(submission_public(submission)).data)

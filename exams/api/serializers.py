"""Input serializers validate request bodies; output serializers shape every response body.

The views build plain dicts with exams.presentation and render them through an output
serializer, so a response carries exactly the fields documented in the OpenAPI schema.
"""

import math

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api_keys.access import API_KEY_ROLE
from exams.api.common import StudentOutput
from exams.models import Attempt, Membership, Part, Submission
from exams.presentation import VARIANT_STATUSES, SolutionStatus
from question_engine.definition import PART_STATUSES

COURSE_ACCESS_ROLES = [API_KEY_ROLE, *Membership.Role.values]
SOLUTION_STATUSES = [status.value for status in SolutionStatus]
PART_MARK_STATUSES = list(PART_STATUSES)
VISIBLE_RUN_STATUSES = ["visible_tests_passed", "visible_tests_failed", "format_error"]


@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "string"}, "example": {"y": "1.25"}}
)
class AnswersField(serializers.JSONField):
    """Any JSON, documented as what it must be: answer text per part label. Anything else is
    refused by the service with a message naming the problem (`invalid_answers`)."""


@extend_schema_field(OpenApiTypes.STR)
class SourceField(serializers.JSONField):
    """Any JSON, documented as what it must be: the source as a string. Anything else is
    refused by the service with a message (`invalid_source`)."""


class AttemptCreateInput(serializers.Serializer):
    question = serializers.SlugField(help_text="Slug of the question to practise.")


class SubmissionCreateInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question answered."
    )
    answers = AnswersField(
        help_text='Answer text per part label, e.g. {"a": "0.81"}. Any subset of the parts: '
        "a part left out keeps its answer from the latest submission on the same variant in "
        'this attempt; an empty answer ("") leaves the part unanswered (scored 0, status '
        "`unanswered`). At least one answer must be non-empty (else 400 `no_answers`)."
    )


class VisibleTestsRunInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question."
    )
    part = serializers.CharField(help_text="Label of the code part.")
    source = SourceField(help_text="The draft source code, as a string.")


class SolutionRevealInput(serializers.Serializer):
    question = serializers.SlugField(
        required=False, help_text="For paper attempts: the slug of the question."
    )


class SubmissionWaitInput(serializers.Serializer):
    """The query of a submission read: how long to wait for its mark."""

    wait = serializers.FloatField(
        required=False,
        min_value=0,
        help_text="Seconds to hold the request waiting for the mark (a long poll; at most "
        "`SUBMISSION_WAIT_MAX_S`, 25 unless configured: a larger value waits that long). The "
        "answer comes at once when the submission will not change by itself (`awaiting_marking` "
        "false), else as soon as it is marked or in `error` (or leaves `error` for a retry), "
        "else when the wait ends: 200 with the submission as it stands, the same body. "
        "Leave it out (or 0) to answer at once.",
    )

    def validate_wait(self, value: float) -> float:
        """A finite number of seconds; raises ValidationError for `nan` or `inf`."""
        if not math.isfinite(value):
            raise serializers.ValidationError("must be a finite number of seconds.")
        return value


@extend_schema_serializer(component_name="ErrorBody")
class ErrorBodyOutput(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable machine-readable code, e.g. `invalid_answers`, `not_found`, "
        "`throttled`, `solution_shown`."
    )
    message = serializers.CharField(help_text="What was wrong and what to do, for people.")
    details = serializers.DictField(
        help_text="Structured details, e.g. `parts` (label → problem) for unreadable answers "
        "(with `error_lines`, label → [{line, message}], for code that does not parse) or "
        "`retry_after_s` when throttled; empty when there are none."
    )


@extend_schema_serializer(component_name="Error")
class ErrorOutput(serializers.Serializer):
    """The API's one error shape, for every error status of every endpoint."""

    error = ErrorBodyOutput()


class CourseOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    role = serializers.ChoiceField(
        choices=COURSE_ACCESS_ROLES,
        help_text="How the request reaches the course: `api_key` (a course API key), or your "
        "role in it.",
    )


class QuestionSummaryOutput(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    topic = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True, help_text="The exam it comes from, if any.")


class PartOptionOutput(serializers.Serializer):
    value = serializers.CharField(help_text="What to submit as the answer to choose this option.")
    key = serializers.CharField(
        allow_blank=True, help_text='How the paper names it: "(a)", "A", or "" for True/False.'
    )
    text_html = serializers.CharField(help_text="The option's text as HTML (maths as TeX).")


class VariantPartOutput(serializers.Serializer):
    label = serializers.CharField()
    display_label = serializers.CharField(
        help_text='The part as the paper names it, e.g. "(b)(ii)"; "(<label>)" when it has none.'
    )
    kind = serializers.ChoiceField(choices=Part.Kind.values)
    marks = serializers.FloatField()
    prompt_md = serializers.CharField(
        allow_blank=True, help_text="Code parts: without the starter code, which is in `starter`."
    )
    prompt_html = serializers.CharField(allow_blank=True)
    starter = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Code parts only: the starter code to edit, with the variant's numbers.",
    )
    options = PartOptionOutput(
        many=True,
        required=False,
        help_text="Choice, multi, truefalse and pair parts: the options to pick from, in the "
        'order shown (submit the `value`; several multi values as "a, c"). Absent for a '
        "choice or multi part whose options the variant does not list.",
    )


class VariantOutput(serializers.Serializer):
    """A variant's statement and parts: never its answers or reference values."""

    question = serializers.SlugField()
    title = serializers.CharField()
    version = serializers.IntegerField(help_text="The question version the variant is of.")
    statement_md = serializers.CharField(allow_blank=True)
    statement_html = serializers.CharField(allow_blank=True)
    parts = VariantPartOutput(many=True)


class ShownSolutionFields(serializers.Serializer):
    """The worked solution, present only when `solution_status` is `shown`."""

    solution_html = serializers.CharField(
        required=False, allow_blank=True, help_text="Only when `solution_status` is `shown`."
    )
    model_answers = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Model answer text per part label; only when `solution_status` is `shown`.",
    )


class SolutionStatusFields(serializers.Serializer):
    solution_status = serializers.ChoiceField(
        choices=SOLUTION_STATUSES,
        help_text="`shown`; `on_request` (ask for it; answers on these numbers then stop being "
        "scored); `not_yet` (submit an answer first); `after_finish` (exam: when you finish); "
        "`after_all_sittings` (original exam numbers: once every sitting has closed).",
    )
    solution_note = serializers.CharField(
        allow_blank=True, help_text="The same, in words for the student."
    )


class HeldVariantStateOutput(ShownSolutionFields, SolutionStatusFields):
    """What the student may do with the variant they hold in an attempt."""

    variant_retired = serializers.BooleanField()
    solution_shown_at = serializers.DateTimeField(allow_null=True)
    answerable = serializers.BooleanField(help_text="Whether answers are still accepted.")
    notices = serializers.ListField(child=serializers.CharField(), help_text="Notices to show.")


class TestDetailOutput(serializers.Serializer):
    """One test of a code part (a hidden test shows only its pass/fail and points)."""

    name = serializers.CharField()
    visibility = serializers.CharField()
    passed = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    message = serializers.CharField(allow_blank=True)
    hints = serializers.ListField(child=serializers.CharField())


class MarkedByOutput(serializers.Serializer):
    """Who gave a free-text part its mark by hand."""

    source = serializers.ChoiceField(
        choices=["instructor", "self"],
        help_text="`instructor`, or `self` (the student's self-assessment, in practice; it "
        "counts until an instructor marks the part).",
    )
    name = serializers.CharField(allow_blank=True, help_text="The marker's name.")
    at = serializers.DateTimeField(help_text="When the mark was given.")


class ErrorLineOutput(serializers.Serializer):
    """A line of the student's own code where it raised (never from a hidden test)."""

    line = serializers.IntegerField(min_value=1, help_text="Counted from 1 in the submitted code.")
    message = serializers.CharField(help_text="What was raised there, e.g. `TypeError: ...`.")


ERROR_LINES_HELP = (
    "Code parts: the lines of the submitted code where it failed to load or raised in a "
    "visible test, for an editor to highlight; hidden tests never contribute."
)


class PartFeedbackOutput(serializers.Serializer):
    """The mark of one part of a submission."""

    score = serializers.FloatField()
    max_score = serializers.FloatField()
    status = serializers.ChoiceField(choices=PART_MARK_STATUSES)
    feedback = serializers.CharField(allow_blank=True)
    matched = serializers.CharField(
        allow_null=True, help_text="Which accepted way of reaching the answer matched, if any."
    )
    mistakes = serializers.ListField(
        child=serializers.CharField(), help_text="Named mistakes recognised in the answer."
    )
    details = TestDetailOutput(many=True, help_text="Code parts: one record per test.")
    marked_by = MarkedByOutput(
        required=False, help_text="Free-text parts marked by hand: who marked it, and when."
    )
    error_lines = ErrorLineOutput(
        many=True,
        required=False,
        help_text=ERROR_LINES_HELP + " Absent from marks stored before it was recorded.",
    )


class SubmissionOutput(ShownSolutionFields, SolutionStatusFields):
    """A submission as its student sees it: marks only once results are visible."""

    id = serializers.IntegerField()
    attempt = serializers.IntegerField()
    question = serializers.SlugField()
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    failure = serializers.ChoiceField(
        choices=[Submission.Failure.INFRASTRUCTURE.value, Submission.Failure.QUESTION.value],
        allow_null=True,
        help_text="With `status` `error`: `infrastructure` (our service failed; retried "
        "automatically) or `question` (a fault in the question; an instructor re-marks it).",
    )
    awaiting_marking = serializers.BooleanField(
        help_text="True while the mark will still come by itself: keep polling."
    )
    results_visible = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True, help_text="Once marked and visible.")
    max_score = serializers.FloatField()
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="Answer text per part label."
    )
    feedback = serializers.DictField(
        child=PartFeedbackOutput(),
        help_text="Per part label, once marked and visible; else empty.",
    )
    error_message = serializers.CharField(allow_blank=True)
    next_retry_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)


class AttemptQuestionSummaryOutput(serializers.Serializer):
    question = serializers.SlugField()
    title = serializers.CharField()
    marks_in_paper = serializers.FloatField(
        allow_null=True, help_text="The marks the paper gives the question; null outside papers."
    )
    variant_url = serializers.URLField(help_text="The statement and parts the student gets.")


class AttemptSummaryOutput(serializers.Serializer):
    """An attempt as lists show it: no variants are drawn to list it."""

    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The student's n-th attempt at this.")
    mode = serializers.ChoiceField(choices=Attempt.Mode.values)
    course = serializers.SlugField()
    question = serializers.SlugField(allow_null=True, help_text="Null for a paper attempt.")
    paper = serializers.SlugField(allow_null=True, help_text="Null for a question attempt.")
    student = StudentOutput()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    closed = serializers.BooleanField(help_text="Finished, or past its deadline.")
    questions = AttemptQuestionSummaryOutput(many=True)
    url = serializers.URLField(help_text="The attempt with its variants and submissions.")
    submissions_url = serializers.URLField(help_text="POST answers here.")


class AttemptQuestionOutput(AttemptQuestionSummaryOutput):
    variant_status = serializers.ChoiceField(
        choices=VARIANT_STATUSES,
        help_text="`ready`; `preparing`: the variant is being built in the background (`variant` "
        "and `state` are null; look again after the response's `Retry-After` seconds); "
        "`failed`: the question's own code failed to build it (tell the instructor).",
    )
    variant_message = serializers.CharField(
        allow_blank=True, help_text="What to tell the student while not ready; empty when ready."
    )
    variant = VariantOutput(allow_null=True)
    state = HeldVariantStateOutput(allow_null=True)


class AttemptOutput(AttemptSummaryOutput):
    """An attempt with its variants and submissions."""

    questions = AttemptQuestionOutput(many=True)
    solution_url = serializers.URLField(
        required=False, help_text="Only for signed-in users: a course API key cannot reveal it."
    )
    submissions = SubmissionOutput(many=True, help_text="Newest first.")


class AttemptVariantOutput(VariantOutput):
    attempt = serializers.IntegerField()


class SubmissionAcceptedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    status_url = serializers.URLField(help_text="Poll it for the mark (also in `Location`).")


class SolutionRevealOutput(serializers.Serializer):
    question = serializers.SlugField()
    solution_shown_at = serializers.DateTimeField()
    solution_html = serializers.CharField(allow_blank=True)
    model_answers = serializers.DictField(
        child=serializers.CharField(), help_text="Model answer text per part label."
    )


class VisibleTestsRunOutput(serializers.Serializer):
    """What a run of the visible tests reports: their points only, never a mark of the part."""

    part = serializers.CharField()
    status = serializers.ChoiceField(choices=VISIBLE_RUN_STATUSES)
    visible_points = serializers.FloatField(help_text="Points earned on the visible tests.")
    visible_max_points = serializers.FloatField(help_text="Points the visible tests are worth.")
    feedback = serializers.CharField(allow_blank=True)
    details = TestDetailOutput(many=True)
    error_lines = ErrorLineOutput(many=True, help_text=ERROR_LINES_HELP)

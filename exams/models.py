"""Courses, questions and their versions, variants, papers, attempts and submissions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="courses"
    )
    questions = models.ManyToManyField("Question", blank=True, related_name="courses")
    submissions_per_window = models.PositiveIntegerField(
        default=100,
        help_text="Answers one student may submit per window in this course (429 beyond).",
    )
    submission_window_seconds = models.PositiveIntegerField(
        default=3600, help_text="The length of that window, in seconds (3600 = one hour)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submissions_per_window__gt=0, submission_window_seconds__gt=0),
                name="submission_limit_positive",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", "Instructor"
        STUDENT = "student", "Student"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    external_id = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The member's user id in the LMS roster; unique in the course.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_membership_per_course"),
            models.UniqueConstraint(
                fields=["course", "external_id"],
                condition=~Q(external_id=""),
                name="unique_external_id_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} in {self.course}"


class RosterLink(models.Model):
    """Which account an LMS roster's external id stands for in a course, kept when the
    membership is removed (so enrolling the id again restores the same account and its work).

    `created_account` is True only when this course's roster created the account: only then may
    the roster change the account's email and name.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="roster_links")
    external_id = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_links"
    )
    created_account = models.BooleanField(
        default=False, help_text="This course's roster created the account (it may edit it)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "external_id"], name="one_roster_link_per_external_id"
            ),
            models.UniqueConstraint(fields=["course", "user"], name="one_roster_link_per_user"),
            models.CheckConstraint(
                condition=~Q(external_id=""), name="roster_link_has_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.user} in {self.course}"


class Question(models.Model):
    """A question of the bank; its content lives in immutable versions."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    topic = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def current_version(self) -> QuestionVersion | None:
        return self.versions.order_by("-number").first()


class QuestionVersion(models.Model):
    """One immutable revision of a question; submissions keep the version they answered."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    notes = models.TextField(blank=True)
    statement_template = models.TextField()
    solution_template = models.TextField(blank=True)
    code = models.TextField(help_text="The question's generate/solve source; runs in the sandbox.")
    paper_params = models.JSONField(null=True, blank=True)
    perturbations = models.JSONField(
        default=dict,
        blank=True,
        help_text="The [perturbations] table of question.toml (runs left out, phrases).",
    )
    quantity_feeds = models.JSONField(
        null=True,
        blank=True,
        help_text="Per asked quantity, the other numeric parts' quantities solve() computes "
        "from it (found in the sandbox when synced); null while unknown, when marking runs "
        "the carried-forward job for every answer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["question", "content_hash"], name="unique_version_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.slug} v{self.number}"

    @property
    def max_score(self) -> float:
        return float(sum(part.marks for part in self.parts.all()))


class Part(models.Model):
    class Kind(models.TextChoices):
        NUMBER = "number"
        INTEGER = "integer"
        VECTOR = "vector"
        MATRIX = "matrix"
        TENSOR = "tensor"
        TENSOR_SHAPE = "tensor_shape"
        FORMULA = "formula"
        CHOICE = "choice"
        MULTI = "multi"
        TRUEFALSE = "truefalse"
        PAIR = "pair"
        TEXT = "text"
        CODE = "code"

    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveIntegerField()
    label = models.CharField(max_length=30)
    source_part = models.CharField(max_length=30, blank=True)
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="The part's name shown to people, unique within its question version "
        '(e.g. "(a) 2 of 3" when several parts share source part "(a)"); set by the bank sync.',
    )
    marks = models.DecimalField(max_digits=6, decimal_places=2)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField(blank=True)
    quantity = models.CharField(max_length=60, blank=True)
    rule = models.JSONField(default=dict, blank=True)
    model_answer = models.TextField(blank=True)
    rubric = models.TextField(blank=True)
    self_assessment = models.BooleanField(
        default=False,
        help_text="Free text: in practice, once the worked solution is shown, the student may "
        "mark their own answer (until an instructor marks it).",
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="unique_part_label"),
            models.CheckConstraint(condition=Q(marks__gt=0), name="part_marks_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.label})"

    @property
    def display_label(self) -> str:
        """The part's name as people see it, unique within its question version.

        As the paper prints it (e.g. "(b)(ii)", "8d"), numbered when several parts share a
        source part ("(a) 1 of 3"), else "(<label>)"; see question_engine.part_display_names.
        """
        return self.display_name or self.source_part or f"({self.label})"


class Variant(models.Model):
    """Parameters and reference answers of one randomized instance. Never shown to students.

    A variant belongs to the course whose students draw it: instructors see and retire only
    their own course's variants, and the same seed in two courses is two variants.

    A variant is stored as soon as a student needs it, in `building` state (no parameters,
    reference or statement yet), and a background task (exams.tasks.build_variant) makes it
    `ready` or, when the question's own code fails, `failed` with `build_error`. The database
    refuses a ready variant without parameters, reference and statement.
    """

    class State(models.TextChoices):
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed (the question's code)"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="variants")
    version = models.ForeignKey(QuestionVersion, on_delete=models.CASCADE, related_name="variants")
    seed = models.BigIntegerField(null=True, blank=True)
    is_paper = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY)
    build_error = models.TextField(
        blank=True, help_text="Why the question's code failed to build it (state `failed`)."
    )
    build_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When its build was last sent to the variants queue."
    )
    params = models.JSONField(null=True, blank=True)
    reference = models.JSONField(
        null=True, blank=True, help_text="Exact and rounded reference values per quantity."
    )
    statement_md = models.TextField(blank=True)
    part_prompts = models.JSONField(default=dict)
    solution_md = models.TextField(blank=True)
    author_runs = models.JSONField(
        default=dict,
        blank=True,
        help_text="Outputs of the author code (the reference and known wrong solutions) on "
        "this variant's tests, per code part label, computed once when the variant is built.",
    )
    retired = models.BooleanField(default=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "version", "seed"],
                condition=Q(is_paper=False),
                name="one_variant_per_course_seed",
            ),
            models.UniqueConstraint(
                fields=["course", "version"],
                condition=Q(is_paper=True),
                name="one_paper_variant_per_course",
            ),
            models.CheckConstraint(
                condition=Q(is_paper=True, seed__isnull=True)
                | Q(is_paper=False, seed__isnull=False),
                name="variant_is_paper_or_seeded",
            ),
            models.CheckConstraint(
                condition=Q(retired=False, retired_at__isnull=True)
                | Q(retired=True, retired_at__isnull=False),
                name="retired_variant_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="ready")
                | (Q(params__isnull=False, reference__isnull=False) & ~Q(statement_md="")),
                name="ready_variant_has_content",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["building", "ready", "failed"]),
                name="variant_state_known",
            ),
        ]

    def __str__(self) -> str:
        which = "paper" if self.is_paper else f"seed {self.seed}"
        return f"{self.version} [{which}]"

    @property
    def is_ready(self) -> bool:
        """Built: its parameters, reference and statement may be used."""
        return self.state == self.State.READY


class Paper(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="papers")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    use_original_numbers = models.BooleanField(
        default=False, help_text="Every student gets the original exam's numbers (paper variants)."
    )
    questions = models.ManyToManyField(Question, through="PaperQuestion", related_name="papers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "title"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="unique_paper_slug_per_course")
        ]

    def __str__(self) -> str:
        return self.title


class PaperQuestion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="paper_items")
    order = models.PositiveIntegerField()
    marks = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["paper", "order"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="question_once_per_paper"),
            models.UniqueConstraint(fields=["paper", "order"], name="unique_order_in_paper"),
        ]

    def __str__(self) -> str:
        return f"{self.paper}: {self.order}. {self.question}"


class Attempt(models.Model):
    """A student's go at one question or one paper; its number seeds the variants."""

    class Mode(models.TextChoices):
        PRACTICE = "practice"
        EXAM = "exam"

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, paper__isnull=True)
                | Q(question__isnull=True, paper__isnull=False),
                name="attempt_is_question_or_paper",
            ),
            models.UniqueConstraint(
                fields=["student", "question", "number"],
                condition=Q(question__isnull=False),
                name="unique_question_attempt_number",
            ),
            models.UniqueConstraint(
                fields=["student", "paper", "number"],
                condition=Q(paper__isnull=False),
                name="unique_paper_attempt_number",
            ),
            models.UniqueConstraint(
                fields=["student", "paper"],
                condition=Q(mode="exam"),
                name="one_exam_sitting_per_paper",
            ),
        ]

    def __str__(self) -> str:
        target = self.question or self.paper
        return f"{self.student} #{self.number} on {target}"

    @property
    def deadline(self) -> datetime | None:
        """When an exam attempt closes; practice attempts have none."""
        if self.mode != self.Mode.EXAM or self.paper is None or not self.paper.time_limit_minutes:
            return None
        return self.started_at + timedelta(minutes=self.paper.time_limit_minutes)

    @property
    def answers_close_at(self) -> datetime | None:
        """When a timed sitting stops taking answers: its deadline plus EXAM_GRACE_SECONDS,
        the grace for requests (submissions, autosaves) already in flight at the deadline."""
        deadline = self.deadline
        if deadline is None:
            return None
        return deadline + timedelta(seconds=settings.EXAM_GRACE_SECONDS)

    @property
    def closed_at(self) -> datetime | None:
        """When the attempt closed: when it was finished, else its deadline (None while no
        end is known; a deadline in the future is when it will close)."""
        return self.finished_at or self.deadline

    def is_closed(self, now: datetime) -> bool:
        """True once the attempt takes no more answers: finished, or past its deadline and
        the grace period after it."""
        closes = self.answers_close_at
        return self.finished_at is not None or (closes is not None and now >= closes)

    def clean(self) -> None:
        if (self.question is None) == (self.paper is None):
            raise ValidationError("An attempt is on exactly one question or one paper.")


class VariantAssignment(models.Model):
    """The variant a student was given for one question within one attempt.

    Stored when first drawn, so the attempt keeps showing the numbers the student answered
    even if the variant is later retired; `solution_shown_at` records when the worked
    solution was first shown for it (practice answers after that are not scored).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="assignments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="assignments")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)
    solution_shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_variant_per_attempt_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.variant}"


class Submission(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        GRADING = "grading"
        GRADED = "graded"
        ERROR = "error"

    class Failure(models.TextChoices):
        """Why a submission is in `error`: never the student's answers."""

        NONE = "", "none"
        INFRASTRUCTURE = "infrastructure", "the service failed; retried automatically"
        QUESTION = "question", "the question itself failed; an instructor must fix it"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="submissions")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    answers = models.JSONField(help_text="Raw answer text per part label.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    score = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=3)
    feedback = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True, default="")
    grading_runs = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    send_pending = models.BooleanField(
        default=False,
        help_text="A grading message is owed and the broker has not taken it yet.",
    )
    quick_tries = models.PositiveIntegerField(
        default=0, help_text="Grading runs since the submission last entered the queue."
    )
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    grading_started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    recovery_tries = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The Idempotency-Key header it was sent with (unique per attempt).",
    )
    request_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="SHA-256 of the request (attempt, question, answers) sent with that key.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_retry_at"]),
            models.Index(fields=["student", "created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(
                fields=["enqueued_at"],
                condition=Q(send_pending=True),
                name="submission_outbox",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_submission_per_attempt_idempotency_key",
            ),
            models.CheckConstraint(
                condition=~Q(status="graded") | Q(score__isnull=False, graded_at__isnull=False),
                name="graded_submission_has_score",
            ),
            models.CheckConstraint(
                condition=Q(status="error") | Q(failure=""),
                name="only_errors_have_a_failure",
            ),
            models.CheckConstraint(
                condition=~Q(status="grading") | Q(lease_expires_at__isnull=False),
                name="grading_submission_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.status})"

"""Writes: starting attempts, building variants, accepting and grading submissions."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

import grader
import question_engine
from exams.bank_bridge import build_variant_data, definition_from_version
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Course,
    Paper,
    PaperQuestion,
    Question,
    QuestionVersion,
    Submission,
    Variant,
)
from exams.seeding import variant_seed
from exams.variant_marking import parts_with_expected_shapes, variant_answers_mark

logger = logging.getLogger(__name__)


def question_current_version(*, question: Question) -> QuestionVersion:
    version = question.current_version
    if version is None:
        raise ApplicationError(
            f"Question '{question.slug}' has no content yet; run `python manage.py bank sync`.",
            code="question_not_synced",
            status=409,
        )
    return version


def variant_get_or_build(
    *, version: QuestionVersion, seed: int | None = None, paper: bool = False
) -> Variant:
    """The stored variant for (version, seed) or the paper variant, built in the sandbox once."""
    if paper == (seed is not None):
        raise ValueError("Give exactly one of seed or paper=True.")
    lookup: dict[str, Any] = {"version": version, "is_paper": paper, "seed": seed}
    existing = Variant.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        data = build_variant_data(version=version, seed=seed, paper=paper)
    except question_engine.BankError as exc:
        logger.error("Building %s (seed=%s, paper=%s) failed: %s", version, seed, paper, exc)
        raise ApplicationError(
            "This question could not be prepared right now; please try again in a minute. "
            "If it keeps failing, tell your instructor.",
            code="variant_unavailable",
            status=503,
        ) from exc
    try:
        with transaction.atomic():
            return Variant.objects.create(**lookup, **data)
    except IntegrityError:
        return Variant.objects.get(**lookup)


def attempt_start_question(
    *,
    student: AbstractBaseUser,
    course: Course,
    question: Question,
    mode: str = Attempt.Mode.PRACTICE,
) -> Attempt:
    """A new attempt at one question; its number makes the next variant differ."""
    return _attempt_create(student=student, course=course, question=question, mode=mode)


def _attempt_create(
    *,
    student: AbstractBaseUser,
    course: Course,
    mode: str,
    question: Question | None = None,
    paper: Paper | None = None,
) -> Attempt:
    """The student's next-numbered attempt at the question or paper (retried on a race)."""
    for _ in range(3):
        last = Attempt.objects.filter(student=student, question=question, paper=paper).aggregate(
            n=Max("number")
        )["n"]
        try:
            with transaction.atomic():
                return Attempt.objects.create(
                    student=student,
                    course=course,
                    question=question,
                    paper=paper,
                    number=(last or 0) + 1,
                    mode=mode,
                )
        except IntegrityError:
            continue
    raise ApplicationError("Could not start an attempt right now; please try again.", status=409)


MAX_RETIRED_SKIPS = 20


def attempt_variant(*, attempt: Attempt, question: Question | None = None) -> Variant:
    """The variant a student gets for a question within an attempt, seeded deterministically.

    Retired variants are skipped by re-deriving the seed; papers that use the original exam's
    numbers give everyone the paper variant.
    """
    question = _attempt_question(attempt=attempt, question=question)
    version = question_current_version(question=question)
    if attempt.paper is not None and attempt.paper.use_original_numbers:
        return variant_get_or_build(version=version, paper=True)
    for skip in range(MAX_RETIRED_SKIPS):
        seed = variant_seed(
            student_id=attempt.student_id,
            question_slug=question.slug if skip == 0 else f"{question.slug}~{skip}",
            attempt_number=attempt.number,
        )
        variant = variant_get_or_build(version=version, seed=seed)
        if not variant.retired:
            return variant
    raise ApplicationError(
        f"Every variant drawn for '{question.slug}' has been retired; ask your instructor.",
        code="variants_retired",
        status=409,
    )


def _attempt_question(*, attempt: Attempt, question: Question | None) -> Question:
    if attempt.question is not None:
        if question is not None and question.pk != attempt.question_id:
            raise ApplicationError(
                f"This attempt is on '{attempt.question.slug}', not '{question.slug}'."
            )
        return attempt.question
    if question is None:
        raise ApplicationError(
            "Name the question of the paper you are answering.", code="question_required"
        )
    if not attempt.paper.items.filter(question=question).exists():
        raise ApplicationError(
            f"The paper '{attempt.paper.title}' has no question '{question.slug}'.",
            code="not_in_paper",
        )
    return question


def attempt_start_paper(*, student: AbstractBaseUser, paper: Paper, mode: str) -> Attempt:
    """Start a paper; in exam mode a student sits it once, so the open exam attempt is reused."""
    if mode not in Attempt.Mode.values:
        raise ApplicationError(f"Mode must be one of {', '.join(Attempt.Mode.values)}.")
    if mode == Attempt.Mode.EXAM:
        existing = Attempt.objects.filter(student=student, paper=paper, mode=mode).first()
        if existing is not None:
            return existing
    return _attempt_create(student=student, course=paper.course, paper=paper, mode=mode)


def attempt_finish(*, attempt: Attempt, student: AbstractBaseUser) -> Attempt:
    if attempt.student_id != student.pk:
        raise ApplicationError("You can only finish your own attempts.", status=403)
    if attempt.finished_at is None:
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["finished_at"])
    return attempt


def _answers_cleaned(*, variant: Variant, answers: Any) -> dict[str, str]:
    if not isinstance(answers, dict):
        raise ApplicationError(
            "Answers must be a JSON object mapping part labels to answer text.",
            code="invalid_answers",
        )
    labels = [part.label for part in variant.version.parts.all()]
    unknown = sorted(set(answers) - set(labels))
    if unknown:
        raise ApplicationError(
            f"Unknown part label(s) {', '.join(unknown)}; this question has parts "
            f"{', '.join(labels)}.",
            code="invalid_answers",
            details={"parts": {label: "no such part" for label in unknown}},
        )
    not_text = sorted(label for label, value in answers.items() if not isinstance(value, str))
    if not_text:
        raise ApplicationError(
            'Each answer must be text (a JSON string), e.g. "0.81" or "[1, 2, 3]".',
            code="invalid_answers",
            details={"parts": {label: "answer must be a string" for label in not_text}},
        )
    return {label: answers.get(label, "") for label in labels}


def submission_create(
    *, attempt: Attempt, student: AbstractBaseUser, answers: Any, question: Question | None = None
) -> Submission:
    """Validate the answers' format, store the submission as pending, grade it after commit."""
    if attempt.student_id != student.pk:
        raise ApplicationError("You can only submit to your own attempts.", status=403)
    if attempt.is_closed(timezone.now()):
        raise ApplicationError(
            "This attempt is closed (finished or past its time limit); start a new one to "
            "answer again.",
            code="attempt_closed",
        )
    variant = attempt_variant(attempt=attempt, question=question)
    cleaned = _answers_cleaned(variant=variant, answers=answers)
    definition = definition_from_version(variant.version)
    parts = parts_with_expected_shapes(definition.part_specs(), variant.reference["exact"])
    problems = grader.check_format(parts, cleaned)
    if problems:
        described = "; ".join(f"part {label}: {message}" for label, message in problems.items())
        raise ApplicationError(
            f"Some answers could not be read, so nothing was submitted ({described}).",
            code="invalid_answers",
            details={"parts": problems},
        )
    with transaction.atomic():
        submission = Submission.objects.create(
            attempt=attempt,
            variant=variant,
            student=student,
            answers=cleaned,
            max_score=Decimal(str(variant.version.max_score)),
        )
        transaction.on_commit(lambda: _enqueue_grading(submission.pk))
    return submission


def _enqueue_grading(submission_id: int) -> None:
    from exams.tasks import grade_submission

    try:
        grade_submission.delay(submission_id)
    except Exception:
        logger.exception(
            "Could not enqueue submission %s; the requeue sweep will pick it up", submission_id
        )


def submission_grade(*, submission_id: int) -> Submission:
    """Mark a submission once; a second run of the same task changes nothing."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status in (Submission.Status.GRADED, Submission.Status.ERROR):
            return submission
        submission.status = Submission.Status.GRADING
        submission.grading_started_at = timezone.now()
        submission.grading_runs += 1
        submission.save(update_fields=["status", "grading_started_at", "grading_runs"])

    variant = submission.variant
    result = variant_answers_mark(
        definition=definition_from_version(variant.version),
        params=variant.params,
        reference=variant.reference,
        answers=submission.answers,
    )

    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == Submission.Status.GRADED:
            return submission
        submission.status = Submission.Status.GRADED
        submission.score = Decimal(str(round(result.score, 3)))
        submission.max_score = Decimal(str(round(result.max_score, 3)))
        submission.feedback = result.as_dict()["parts"]
        submission.graded_at = timezone.now()
        submission.save(update_fields=["status", "score", "max_score", "feedback", "graded_at"])
    return submission


def submission_mark_failed(*, submission_id: int, message: str) -> None:
    """Record that grading failed for a reason outside the student's answers."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == Submission.Status.GRADED:
            return
        submission.status = Submission.Status.ERROR
        submission.error_message = message
        submission.save(update_fields=["status", "error_message"])


def submissions_requeue_stale(*, pending_after_s: int, grading_after_s: int) -> list[int]:
    """Re-enqueue submissions whose queue message was lost or whose worker died mid-way."""
    now = timezone.now()
    stale = Submission.objects.filter(
        status=Submission.Status.PENDING, created_at__lt=now - timedelta(seconds=pending_after_s)
    ) | Submission.objects.filter(
        status=Submission.Status.GRADING,
        grading_started_at__lt=now - timedelta(seconds=grading_after_s),
    )
    ids = list(stale.values_list("pk", flat=True))
    for submission_id in ids:
        _enqueue_grading(submission_id)
    return ids


def variant_retire(*, variant: Variant) -> Variant:
    """Withdraw a bad variant; students who would have drawn it get another seed."""
    variant.retired = True
    variant.save(update_fields=["retired"])
    return variant


@transaction.atomic
def paper_create(
    *,
    course: Course,
    title: str,
    time_limit_minutes: int | None,
    use_original_numbers: bool,
    items: list[tuple[Question, Decimal]],
) -> Paper:
    """Assemble a paper from ordered (question, marks) pairs."""
    if not title.strip():
        raise ApplicationError("Give the paper a title.", code="invalid_paper")
    if not items:
        raise ApplicationError("Choose at least one question for the paper.", code="invalid_paper")
    if any(marks <= 0 for _, marks in items):
        raise ApplicationError("Every question needs positive marks.", code="invalid_paper")
    if time_limit_minutes is not None and time_limit_minutes <= 0:
        raise ApplicationError("A time limit must be a positive number of minutes.")
    slug = slugify(title)[:90] or "paper"
    base, n = slug, 2
    while course.papers.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    paper = Paper.objects.create(
        course=course,
        slug=slug,
        title=title.strip(),
        time_limit_minutes=time_limit_minutes,
        use_original_numbers=use_original_numbers,
    )
    PaperQuestion.objects.bulk_create(
        PaperQuestion(paper=paper, question=question, order=index, marks=marks)
        for index, (question, marks) in enumerate(items, start=1)
    )
    return paper


def code_visible_tests_run(
    *,
    attempt: Attempt,
    student: AbstractBaseUser,
    label: str,
    source: Any,
    question: Question | None = None,
) -> grader.PartResult:
    """Run a code part's visible tests on draft source: nothing stored, no attempt used."""
    if attempt.student_id != student.pk:
        raise ApplicationError("You can only run tests in your own attempts.", status=403)
    if attempt.is_closed(timezone.now()):
        raise ApplicationError("This attempt is closed.", code="attempt_closed")
    if not isinstance(source, str):
        raise ApplicationError("The source must be text (a JSON string).", code="invalid_source")
    variant = attempt_variant(attempt=attempt, question=question)
    part = variant.version.parts.filter(label=label).first()
    if part is None or part.kind != "code":
        raise ApplicationError(f"Part '{label}' is not a code part of this question.")
    definition = definition_from_version(variant.version)
    problems = grader.check_format(definition.part_specs(), {label: source})
    if label in problems:
        raise ApplicationError(
            f"part {label}: {problems[label]}",
            code="invalid_source",
            details={"parts": {label: problems[label]}},
        )
    try:
        return question_engine.run_visible_tests(definition, label, variant.params, source)
    except question_engine.BankError as exc:
        logger.error("Visible tests of %s part %s failed to run: %s", variant, label, exc)
        raise ApplicationError(
            "The tests could not be run right now; please try again in a minute.",
            code="tests_unavailable",
            status=503,
        ) from exc

"""Variants: building and storing them, choosing one for an attempt, retiring and restoring
them, what a student may still do with the one they hold, and showing its worked solution."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

import question_engine
from exams import selectors
from exams.bank_bridge import build_variant_data
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Course,
    Question,
    QuestionVersion,
    Submission,
    Variant,
    VariantAssignment,
)
from exams.seeding import variant_seed
from question_engine.sandbox_jobs import someone_waiting

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
    *, course: Course, version: QuestionVersion, seed: int | None = None, paper: bool = False
) -> Variant:
    """The course's stored variant for (version, seed) or its paper variant, built once.

    Built in the sandbox the first time. Raises ApplicationError (503) when the sandbox or
    the question's code fails, so nothing half-built is stored.
    """
    if paper == (seed is not None):
        raise ValueError("Give exactly one of seed or paper=True.")
    lookup: dict[str, Any] = {"course": course, "version": version, "is_paper": paper, "seed": seed}
    existing = Variant.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with someone_waiting():
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


MAX_RETIRED_SKIPS = 20


def attempt_variant(*, attempt: Attempt, question: Question | None = None) -> Variant:
    """The variant a student has for a question within an attempt (drawn once, then kept).

    The first call draws it, seeded by the attempt's identity (so an exam sitting and a
    practice attempt never share a variant) and skipping retired variants; papers that use
    the original exam's numbers give everyone the course's paper variant. Later calls return
    the stored assignment; once the student has answered it, it stays even if retired.

    Raises ApplicationError 409 (`exam_in_progress`) for a practice attempt on the original
    numbers while an exam sitting showing them is open: every path that shows a variant to a
    student (pages, API, run-tests, submissions) goes through here.
    """
    question = _attempt_question(attempt=attempt, question=question)
    _refuse_original_numbers_during_exam(attempt=attempt, question=question)
    assignment = VariantAssignment.objects.filter(attempt=attempt, question=question).first()
    if assignment is not None and not _replaceable(assignment):
        return assignment.variant
    variant = _variant_draw(attempt=attempt, question=question)
    if assignment is not None:
        assignment.variant = variant
        assignment.save(update_fields=["variant"])
        return variant
    assignment, _ = VariantAssignment.objects.get_or_create(
        attempt=attempt, question=question, defaults={"variant": variant}
    )
    return assignment.variant


def exam_in_progress_error(question: Question) -> ApplicationError:
    """The 409 refusing practice of original numbers that an open exam sitting shows."""
    return ApplicationError(
        f"The original exam numbers of '{question.title}' are in use in an exam that is in "
        "progress, so they cannot be practised until every sitting has closed. Practise the "
        "question on new numbers instead, or come back after the exam.",
        code="exam_in_progress",
        status=409,
        details={"question": question.slug},
    )


def original_numbers_check_visible(
    *, question: Question, user: AbstractBaseUser | None = None, course_ids: set[int] | None = None
) -> None:
    """Refuse staff a view of the question's original exam numbers (or their answers) while an
    exam sitting showing them is open in a course they do not teach.

    Staff is an instructor (`user`: every course they teach counts) or a course API key
    (`course_ids`: its course). Raises ApplicationError 409 `exam_in_progress`.
    """
    allowed = set(course_ids or set())
    if user is not None:
        allowed |= selectors.instructor_course_ids(user=user)
    if selectors.original_numbers_locked_for_staff(course_ids=allowed, question=question):
        raise ApplicationError(
            f"The original exam numbers of '{question.title}' are in use in an exam that is in "
            "progress in another course, so they are not shown here (nor their answers) until "
            "every sitting of it has closed. Preview the question on random numbers (?seed=0) "
            "meanwhile, or come back after the exam.",
            code="exam_in_progress",
            status=409,
            details={"question": question.slug},
        )


def _refuse_original_numbers_during_exam(*, attempt: Attempt, question: Question) -> None:
    if attempt.mode != Attempt.Mode.PRACTICE or attempt.paper is None:
        return
    if not attempt.paper.use_original_numbers:
        return
    if selectors.original_numbers_in_open_exam(question=question):
        raise exam_in_progress_error(question)


def _replaceable(assignment: VariantAssignment) -> bool:
    """A retired random variant the student has not answered yet is swapped for a fresh one.

    A paper variant (the original numbers) is never swapped: there is no other one to give.
    """
    variant = assignment.variant
    return (
        variant.retired
        and not variant.is_paper
        and not assignment.attempt.submissions.filter(variant=variant).exists()
    )


def _variant_draw(*, attempt: Attempt, question: Question) -> Variant:
    version = question_current_version(question=question)
    if attempt.paper is not None and attempt.paper.use_original_numbers:
        variant = variant_get_or_build(course=attempt.course, version=version, paper=True)
        if variant.retired:
            raise ApplicationError(
                f"Your instructor withdrew the original exam numbers of '{question.title}'; "
                "practise the question on new numbers, or ask them to restore it.",
                code="variants_retired",
                status=409,
            )
        return variant
    for draw in range(MAX_RETIRED_SKIPS):
        seed = variant_seed(attempt_id=attempt.pk, question_slug=question.slug, draw=draw)
        variant = variant_get_or_build(course=attempt.course, version=version, seed=seed)
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


def variant_retire(*, variant: Variant) -> Variant:
    """Withdraw a bad variant: new draws skip it; attempts that answered it keep it.

    Attempts that hold it unanswered get fresh numbers on their next view (a paper variant,
    having no replacement, stays with them). Idempotent; undone by `variant_restore`.
    """
    if not variant.retired:
        variant.retired = True
        variant.retired_at = timezone.now()
        variant.save(update_fields=["retired", "retired_at"])
    return variant


def variant_restore(*, variant: Variant) -> Variant:
    """Undo `variant_retire`: new draws may give the variant again. Idempotent.

    Attempts whose unanswered copy was swapped while it was retired keep their new numbers.
    """
    if variant.retired:
        variant.retired = False
        variant.retired_at = None
        variant.save(update_fields=["retired", "retired_at"])
    return variant


def assignment_check_answerable(*, attempt: Attempt, variant: Variant, lock: bool = False) -> None:
    """Refuse a practice submission that would not be scored; exams are never refused here.

    Raises ApplicationError 409: `solution_shown` once the worked solution of this variant
    was shown in the attempt, `variant_retired` once the instructor withdrew it (the earlier
    answers stand). Either way the message offers a new variant. With `lock` (inside a
    transaction) the assignment's row stays locked until it ends, so a concurrent reveal
    waits for the submission being stored.
    """
    if attempt.mode != Attempt.Mode.PRACTICE:
        return
    assignments = VariantAssignment.objects.filter(
        attempt=attempt, question_id=variant.version.question_id, variant=variant
    )
    assignment = (assignments.select_for_update() if lock else assignments).first()
    if assignment is not None and assignment.solution_shown_at is not None:
        raise ApplicationError(
            "You have seen the worked solution for these numbers, so answers on them are no "
            "longer scored. Try a new variant for fresh numbers.",
            code="solution_shown",
            status=409,
        )
    if variant.retired:
        raise ApplicationError(
            "Your instructor withdrew this variant; your earlier answers stand. Try a new "
            "variant (start a new attempt) for fresh numbers.",
            code="variant_retired",
            status=409,
        )


def solution_reveal(
    *, attempt: Attempt, student: AbstractBaseUser, question: Question | None = None
) -> VariantAssignment:
    """Show the student the worked solution of the variant they hold; returns the assignment
    with `solution_shown_at` set (the first time only).

    Practice: only after at least one of their answers on it has been marked; afterwards
    `assignment_check_answerable` refuses further answers on it. Exam: once the attempt has
    closed and, for the original numbers, once no sitting showing them is open.
    Raises ApplicationError 403 (not their attempt) or 409 (not yet; the message says when).
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only see solutions in your own attempts.", code="not_your_attempt", status=403
        )
    variant = attempt_variant(attempt=attempt, question=question)
    held = variant.version.question
    now = timezone.now()
    if attempt.mode == Attempt.Mode.EXAM:
        if not attempt.is_closed(now):
            raise ApplicationError(
                "The worked solution appears once you finish the exam.",
                code="exam_open",
                status=409,
            )
        if variant.is_paper and selectors.original_numbers_in_open_exam(question=held):
            raise ApplicationError(
                "Your marks are final; the worked solution appears once every sitting of this "
                "exam has closed (other students are still sitting it).",
                code="exam_in_progress",
                status=409,
            )
    elif not attempt.submissions.filter(variant=variant, status=Submission.Status.GRADED).exists():
        raise ApplicationError(
            "Submit an answer and let it be marked before asking for the worked solution; once "
            "it is shown, answers on these numbers are no longer scored.",
            code="answer_first",
            status=409,
        )
    VariantAssignment.objects.filter(
        attempt=attempt, question=held, solution_shown_at__isnull=True
    ).update(solution_shown_at=now)
    return VariantAssignment.objects.select_related("variant").get(attempt=attempt, question=held)

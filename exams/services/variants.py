"""Variants: building and storing them, choosing one for an attempt, retiring and restoring
them, what a student may still do with the one they hold, and showing its worked solution."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

import question_engine
from exams import selectors
from exams.bank_bridge import build_variant_data
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Course,
    Membership,
    Paper,
    Question,
    QuestionVersion,
    Submission,
    Variant,
    VariantAssignment,
)
from exams.seeding import MAX_RETIRED_SKIPS, exam_variant_seed, variant_seed
from question_engine.errors import SandboxFailure
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


def variant_get_or_request(
    *, course: Course, version: QuestionVersion, seed: int | None = None, paper: bool = False
) -> Variant:
    """The course's stored variant for (version, seed) or its paper variant; never runs the
    sandbox.

    The first call stores it in `building` state and sends its build to the VARIANTS queue
    once the transaction commits (`variant_build_request`); later calls return the row in
    whatever state it is (`building`, `ready` or `failed`). Concurrent first calls store one row.
    """
    return _variant_get_or_request(course=course, version=version, seed=seed, paper=paper)[0]


def _variant_get_or_request(
    *, course: Course, version: QuestionVersion, seed: int | None, paper: bool
) -> tuple[Variant, bool]:
    """`variant_get_or_request`, also saying whether this call stored (and requested) it."""
    lookup = _variant_lookup(course=course, version=version, seed=seed, paper=paper)
    existing = Variant.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            variant = Variant.objects.create(
                **lookup, state=Variant.State.BUILDING, build_requested_at=timezone.now()
            )
    except IntegrityError:
        return Variant.objects.get(**lookup), False
    variant_build_request(variant=variant)
    return variant, True


def variant_build_request(*, variant: Variant) -> None:
    """Send the build of a `building` variant to the VARIANTS queue once the current
    transaction commits (at once outside one). A broker failure is logged; the row stays
    `building` and `variant_check_ready` sends it again once it is VARIANT_BUILD_RESEND_S old."""
    variant_id = variant.pk
    transaction.on_commit(lambda: variant_build_enqueue(variant_id=variant_id))


def variant_build_enqueue(*, variant_id: int) -> None:
    """Send exams.tasks.build_variant for the variant now (routed to the VARIANTS queue); a
    broker failure is logged, never raised (the row stays `building` and is sent again)."""
    from exams.tasks import build_variant

    try:
        build_variant.apply_async((variant_id,))
    except Exception:
        logger.exception(
            "Could not enqueue the build of variant %s; it is sent again when next looked at",
            variant_id,
        )


def variant_build(*, variant_id: int) -> Variant:
    """Build a `building` variant: run the question's generate/solve in the sandbox
    (`exams.bank_bridge.build_variant_data`) and store the result; the body of the
    exams.tasks.build_variant task.

    Idempotent: a variant already `ready` or `failed` is returned untouched, and when two
    workers build the same row the first to store wins (the second's identical result is
    dropped). A fault of the question's own code marks the row `failed` with `build_error`.
    Raises `question_engine.SandboxFailure` when the sandbox failed (the row stays `building`;
    the task retries with backoff) and `Variant.DoesNotExist` for an unknown id.
    """
    variant = Variant.objects.select_related("version__question").get(pk=variant_id)
    if variant.state != Variant.State.BUILDING:
        return variant
    try:
        data = build_variant_data(
            version=variant.version, seed=variant.seed, paper=variant.is_paper
        )
    except SandboxFailure:
        raise
    except question_engine.BankError as exc:
        logger.error("Building variant %s (%s) failed: %s", variant.pk, variant, exc)
        Variant.objects.filter(pk=variant.pk, state=Variant.State.BUILDING).update(
            state=Variant.State.FAILED, build_error=str(exc)[:BUILD_ERROR_MAX_CHARS]
        )
    else:
        Variant.objects.filter(pk=variant.pk, state=Variant.State.BUILDING).update(
            state=Variant.State.READY, build_error="", **data
        )
    variant.refresh_from_db()
    return variant


def variant_get_or_build(
    *, course: Course, version: QuestionVersion, seed: int | None = None, paper: bool = False
) -> Variant:
    """The course's variant for (version, seed) or its paper variant, built here and now when
    it is not ready yet: for staff (an instructor's preview, a re-mark on a new version),
    never for a student starting an attempt.

    Raises ApplicationError 503 `variant_unavailable` when the sandbox failed and 409
    `variant_failed` (the error, for staff) when the question's own code did (the row then
    stays `failed`), and
    ValueError unless exactly one of `seed` and `paper` is given.
    """
    lookup = _variant_lookup(course=course, version=version, seed=seed, paper=paper)
    variant = Variant.objects.filter(**lookup).first()
    if variant is None:
        try:
            with transaction.atomic():
                variant = Variant.objects.create(
                    **lookup, state=Variant.State.BUILDING, build_requested_at=timezone.now()
                )
        except IntegrityError:
            variant = Variant.objects.get(**lookup)
    if variant.state == Variant.State.BUILDING:
        try:
            with someone_waiting():
                variant = variant_build(variant_id=variant.pk)
        except SandboxFailure as exc:
            logger.error("Building %s failed on our side: %s", variant, exc)
            raise ApplicationError(
                "This question could not be prepared right now because the code-running "
                "service is busy or restarting; please try again in a minute.",
                code="variant_unavailable",
                status=503,
            ) from exc
    if variant.state == Variant.State.FAILED:
        raise ApplicationError(
            f"The code of '{variant.version.question.title}' (version {variant.version.number}) "
            f"failed to build these numbers: {variant.build_error} Fix the question, then run "
            "`python manage.py bank sync`.",
            code="variant_failed",
            status=409,
            details={"status": "failed"},
        )
    return variant


def variant_check_ready(*, variant: Variant) -> None:
    """Refuse to use a variant that is not built yet or whose build failed.

    Raises ApplicationError 409 `variant_preparing` (details `retry_after_s`, `status`
    "preparing") while it is `building`, sending its build again when the last request is
    VARIANT_BUILD_RESEND_S old (a lost queue message, a broker that was down); 409
    `variant_failed` (details `status` "failed") when the question's code failed to build it.
    """
    if variant.state == Variant.State.READY:
        return
    if variant.state == Variant.State.FAILED:
        raise variant_failed_error(variant)
    variant_build_resend_if_stale(variant=variant)
    raise ApplicationError(
        VARIANT_PREPARING_MESSAGE.format(
            title=variant.version.question.title, retry_after_s=settings.VARIANT_RETRY_AFTER_S
        ),
        code="variant_preparing",
        status=409,
        details={"status": "preparing", "retry_after_s": settings.VARIANT_RETRY_AFTER_S},
    )


def variant_failed_error(variant: Variant) -> ApplicationError:
    """The 409 `variant_failed` telling the student their question could not be prepared."""
    return ApplicationError(
        VARIANT_FAILED_MESSAGE.format(title=variant.version.question.title),
        code="variant_failed",
        status=409,
        details={"status": "failed"},
    )


def variant_build_resend_if_stale(*, variant: Variant, now: datetime | None = None) -> bool:
    """Send a `building` variant's build again when it was last sent VARIANT_BUILD_RESEND_S
    ago or more (its message lost, or a worker stuck); returns whether it was sent. Only the
    request whose update wins sends it, so concurrent pollers send it once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.VARIANT_BUILD_RESEND_S)
    resent = (
        Variant.objects.filter(pk=variant.pk, state=Variant.State.BUILDING)
        .filter(Q(build_requested_at__lte=cutoff) | Q(build_requested_at__isnull=True))
        .update(build_requested_at=now)
    )
    if resent:
        variant_build_request(variant=variant)
    return bool(resent)


def _variant_lookup(
    *, course: Course, version: QuestionVersion, seed: int | None, paper: bool
) -> dict[str, Any]:
    if paper == (seed is not None):
        raise ValueError("Give exactly one of seed or paper=True.")
    return {"course": course, "version": version, "is_paper": paper, "seed": seed}


BUILD_ERROR_MAX_CHARS = 4000
VARIANT_PREPARING_MESSAGE = (
    "Preparing your question '{title}'… (a few seconds, usually); look again in "
    "{retry_after_s} seconds."
)
VARIANT_FAILED_MESSAGE = (
    "'{title}' could not be prepared because of a fault in the question itself, not anything "
    "you did. Nothing was used up; please tell your instructor, who sees the fault on the "
    "question's variants page."
)


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


def attempt_variant_ready(*, attempt: Attempt, question: Question | None = None) -> Variant:
    """`attempt_variant`, refusing a variant that is not built: for everything that uses its
    numbers (submissions, visible tests, drafts, the worked solution).

    Raises what `attempt_variant` and `variant_check_ready` raise (409 `variant_preparing`
    with `retry_after_s`, 409 `variant_failed`).
    """
    variant = attempt_variant(attempt=attempt, question=question)
    variant_check_ready(variant=variant)
    return variant


def attempt_variants_request(*, attempt: Attempt) -> list[Variant]:
    """Draw the attempt's variant of every question (in the paper's order), so each is built
    in the background before the student opens it; returns those drawn.

    Called when an attempt starts: a timed exam sitting's variants are all sent at once. A
    question whose variant cannot be drawn now (retired numbers, not synced) is skipped here:
    its page says why when the student opens it.
    """
    drawn = []
    for question, _marks in selectors.attempt_questions(attempt=attempt):
        try:
            drawn.append(attempt_variant(attempt=attempt, question=question))
        except ApplicationError as exc:
            logger.info("Attempt %s: %s not drawn at start: %s", attempt.pk, question, exc.code)
    return drawn


@dataclass(frozen=True)
class ExamPreparation:
    """What `exam_variants_prepare` did: students covered, variants newly requested (built in
    the background), variants already there (any state), and how many of all are ready."""

    students: int
    requested: int
    existing: int
    ready: int
    failed: int
    variant_ids: tuple[int, ...]


def exam_variants_prepare(*, paper: Paper) -> ExamPreparation:
    """Request the exam variant of each of the paper's questions for every enrolled student,
    so the sittings open on built variants.

    One variant per (student, question): the one the student's sitting will draw (seeded by
    `exam_variant_seed`, skipping retired ones as the sitting does), or one paper variant per
    question when the paper uses the original numbers. A student whose sitting already holds
    a question's variant keeps it. Idempotent: a second call requests nothing new.
    Raises ApplicationError 409 `question_not_synced` for a question without content.
    """
    questions = [item.question for item in paper.items.select_related("question")]
    versions = {q.pk: question_current_version(question=q) for q in questions}
    students = list(
        get_user_model().objects.filter(
            memberships__course=paper.course, memberships__role=Membership.Role.STUDENT
        )
    )
    wanted: dict[int, Variant] = {}
    requested = 0
    for student in students:
        sitting = Attempt.objects.filter(
            student=student, paper=paper, mode=Attempt.Mode.EXAM
        ).first()
        for question in questions:
            held = (
                VariantAssignment.objects.filter(attempt=sitting, question=question).first()
                if sitting is not None
                else None
            )
            if held is not None:
                wanted[held.variant_id] = held.variant
                continue
            variant, created = _exam_variant_for(
                paper=paper, student=student, question=question, version=versions[question.pk]
            )
            requested += created
            wanted[variant.pk] = variant
    states = list(Variant.objects.filter(pk__in=wanted).values_list("state", flat=True))
    return ExamPreparation(
        students=len(students),
        requested=requested,
        existing=len(wanted) - requested,
        ready=states.count(Variant.State.READY),
        failed=states.count(Variant.State.FAILED),
        variant_ids=tuple(sorted(wanted)),
    )


def _exam_variant_for(
    *, paper: Paper, student: AbstractBaseUser, question: Question, version: QuestionVersion
) -> tuple[Variant, bool]:
    """The variant a sitting of `paper` by `student` draws for `question`, requested, and
    whether this call stored it (a question whose every draw is retired gives the last)."""
    if paper.use_original_numbers:
        return _variant_get_or_request(course=paper.course, version=version, seed=None, paper=True)
    created_any = False
    for draw in range(MAX_RETIRED_SKIPS):
        seed = exam_variant_seed(
            student_id=student.pk, paper_id=paper.pk, question_slug=question.slug, draw=draw
        )
        variant, created = _variant_get_or_request(
            course=paper.course, version=version, seed=seed, paper=False
        )
        created_any = created_any or created
        if not variant.retired:
            break
    return variant, created_any


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
    A variant that failed to build is swapped once the question has a newer version (the
    instructor fixed it), paper variant or not.
    """
    variant = assignment.variant
    unanswered = not assignment.attempt.submissions.filter(variant=variant).exists()
    if variant.state == Variant.State.FAILED:
        return unanswered and variant.version_id != _current_version_id(variant)
    return variant.retired and not variant.is_paper and unanswered


def _current_version_id(variant: Variant) -> int | None:
    current = variant.version.question.current_version
    return current.pk if current is not None else None


def _variant_draw(*, attempt: Attempt, question: Question) -> Variant:
    """A fresh variant for the attempt's question: requested, not built (see
    `variant_get_or_request`). An exam sitting's seeds come from (student, paper, question),
    so they are the ones `exam_variants_prepare` built ahead of time; a practice attempt's
    from the attempt."""
    version = question_current_version(question=question)
    if attempt.paper is not None and attempt.paper.use_original_numbers:
        variant = variant_get_or_request(course=attempt.course, version=version, paper=True)
        if variant.retired:
            raise ApplicationError(
                f"Your instructor withdrew the original exam numbers of '{question.title}'; "
                "practise the question on new numbers, or ask them to restore it.",
                code="variants_retired",
                status=409,
            )
        return variant
    exam = attempt.mode == Attempt.Mode.EXAM and attempt.paper_id is not None
    for draw in range(MAX_RETIRED_SKIPS):
        if exam:
            seed = exam_variant_seed(
                student_id=attempt.student_id,
                paper_id=attempt.paper_id,
                question_slug=question.slug,
                draw=draw,
            )
        else:
            seed = variant_seed(attempt_id=attempt.pk, question_slug=question.slug, draw=draw)
        variant = variant_get_or_request(course=attempt.course, version=version, seed=seed)
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
    Raises ApplicationError 403 (not their attempt) or 409 (not yet; the message says when;
    `variant_preparing` / `variant_failed` while the variant is not built).
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only see solutions in your own attempts.", code="not_your_attempt", status=403
        )
    variant = attempt_variant_ready(attempt=attempt, question=question)
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

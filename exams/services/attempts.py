"""Attempts at a question or a paper: starting and finishing them."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from exams import selectors
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Course,
    Paper,
    Question,
)
from exams.services.variants import attempt_variants_request

logger = logging.getLogger(__name__)


def attempt_start_question(
    *,
    student: AbstractBaseUser,
    course: Course,
    question: Question,
    mode: str = Attempt.Mode.PRACTICE,
) -> Attempt:
    """A new attempt at one question; its number makes the next variant differ. Its variant
    is drawn and its build sent to the background (`attempt_variants_request`)."""
    attempt = _attempt_create(student=student, course=course, question=question, mode=mode)
    attempt_variants_request(attempt=attempt)
    return attempt


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


def attempt_start_paper(*, student: AbstractBaseUser, paper: Paper, mode: str) -> Attempt:
    """Start a paper; in exam mode a student sits it once, so the open exam attempt is reused.

    Every question's variant is drawn at once and built in the background
    (`attempt_variants_request`): those an instructor prepared (`exam_variants_prepare`) are
    ready already. Practice of a paper set to the original exam's numbers is refused
    (ApplicationError 409, `exam_in_progress`) while an exam sitting (in any course) showing
    any of its questions' numbers is open; a new exam sitting of it, while one is open in
    another course.
    """
    if mode not in Attempt.Mode.values:
        raise ApplicationError(f"Mode must be one of {', '.join(Attempt.Mode.values)}.")
    if mode == Attempt.Mode.PRACTICE:
        locked = selectors.paper_questions_in_open_exam(paper=paper)
        if locked:
            raise ApplicationError(
                f"'{paper.title}' uses the original exam numbers, which an exam that is in "
                "progress shows; practise it once every sitting has closed, or practise its "
                "questions on new numbers meanwhile.",
                code="exam_in_progress",
                status=409,
                details={"questions": [question.slug for question in locked]},
            )
    withdrawn = selectors.paper_questions_with_retired_original_numbers(paper=paper)
    if withdrawn and not Attempt.objects.filter(student=student, paper=paper, mode=mode).exists():
        raise ApplicationError(
            f"'{paper.title}' uses the original exam numbers, and your instructor withdrew those "
            f"of {', '.join(q.title for q in withdrawn)}; ask them to restore the numbers or to "
            "set the paper to new numbers. Nothing was started.",
            code="variants_retired",
            status=409,
            details={"questions": [q.slug for q in withdrawn]},
        )
    if mode == Attempt.Mode.EXAM:
        _refuse_sitting_while_open_elsewhere(student=student, paper=paper)
        attempt = _exam_sitting_get_or_create(student=student, paper=paper)
    else:
        attempt = _attempt_create(student=student, course=paper.course, paper=paper, mode=mode)
    attempt_variants_request(attempt=attempt)
    return attempt


def _refuse_sitting_while_open_elsewhere(*, student: AbstractBaseUser, paper: Paper) -> None:
    """A new sitting of an original-numbers paper waits while another course's exam sitting on
    those numbers is open (ApplicationError 409 `exam_in_progress`); a student's own sitting
    is still resumed."""
    if Attempt.objects.filter(student=student, paper=paper, mode=Attempt.Mode.EXAM).exists():
        return
    locked = selectors.paper_questions_in_open_exam_elsewhere(paper=paper)
    if locked:
        raise ApplicationError(
            f"'{paper.title}' uses the original exam numbers, which an exam in progress in "
            "another course shows; a sitting here can start once every sitting of that exam "
            "has closed.",
            code="exam_in_progress",
            status=409,
            details={"questions": [question.slug for question in locked]},
        )


def _exam_sitting_get_or_create(*, student: AbstractBaseUser, paper: Paper) -> Attempt:
    """The student's one exam sitting of the paper, created by the first of racing requests.

    The database allows one exam attempt per (student, paper) (`one_exam_sitting_per_paper`),
    so concurrent starts all get the same sitting, never a second one whose marks could serve
    as an answer key for the first.
    """
    lookup = {"student": student, "paper": paper, "mode": Attempt.Mode.EXAM}
    existing = Attempt.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    last = Attempt.objects.filter(student=student, paper=paper).aggregate(n=Max("number"))["n"]
    try:
        with transaction.atomic():
            return Attempt.objects.create(course=paper.course, number=(last or 0) + 1, **lookup)
    except IntegrityError:
        sitting = Attempt.objects.filter(**lookup).first()
        if sitting is None:
            raise ApplicationError(
                "Could not start the exam right now; please try again.", status=409
            ) from None
        return sitting


def attempt_finish(*, attempt: Attempt, student: AbstractBaseUser) -> Attempt:
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only finish your own attempts; the student finishes theirs (an exam "
            "sitting also closes at its deadline).",
            code="not_your_attempt",
            status=403,
        )
    if attempt.finished_at is None:
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["finished_at"])
    return attempt


def attempt_get_locked(*, attempt_id: int) -> Attempt:
    """The attempt, its row held until the transaction ends (call inside one), with its paper,
    course and student.

    Only the attempt's own row is locked (`of=("self",)`): the paper is a nullable foreign key,
    joined outside, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    Whoever locks an attempt and a student's row takes the attempt first. Raises
    `Attempt.DoesNotExist` for an unknown id.
    """
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("paper", "course", "student")
        .get(pk=attempt_id)
    )


def attempt_check_open(*, attempt: Attempt) -> None:
    """Raise ApplicationError (400, `attempt_closed`, details `closed_at` ISO 8601) when the
    attempt takes no more answers (a timed sitting: after its deadline plus the grace period).

    The message fits the mode: an exam sitting is sat once, so it cannot be restarted; a
    practice attempt can be followed by a new one.
    """
    if not attempt.is_closed(timezone.now()):
        return
    closed_at = attempt.closed_at
    if attempt.mode == Attempt.Mode.EXAM:
        when = timezone.localtime(closed_at).strftime("%H:%M %Z on %d %b %Y")
        submitted = "were" if attempt.finished_at else "are being"
        message = (
            f"This exam sitting is closed: it closed at {when} (finished or past its time "
            f"limit), so it takes no more answers; your saved answers {submitted} submitted, "
            "and your marks are shown on its page."
        )
    else:
        message = "This attempt is closed (finished); start a new attempt to answer again."
    raise ApplicationError(
        message,
        code="attempt_closed",
        details={"closed_at": closed_at.isoformat() if closed_at else None},
    )


def attempt_start_or_resume(
    *,
    student: AbstractBaseUser,
    course: Course,
    mode: str,
    question: Question | None = None,
    paper: Paper | None = None,
    resume: bool = True,
) -> tuple[Attempt, bool]:
    """The student's attempt at a question or paper of the course: their latest open one in
    that mode when `resume` (an exam sitting is always resumed, being sat once), else a new
    one. Returns (attempt, created).

    Raises ApplicationError (400, `invalid_attempt`) unless exactly one of question and paper
    is given, or for an exam on a single question; and what `attempt_start_paper` raises.
    """
    if (question is None) == (paper is None):
        raise ApplicationError(
            "Name exactly one of 'question' or 'paper' to attempt.", code="invalid_attempt"
        )
    if mode not in Attempt.Mode.values:
        raise ApplicationError(
            f"Mode must be one of {', '.join(Attempt.Mode.values)}.", code="invalid_attempt"
        )
    if question is not None and mode == Attempt.Mode.EXAM:
        raise ApplicationError(
            "A single question is practised; exams are sat on papers (give 'paper').",
            code="invalid_attempt",
        )
    if resume or mode == Attempt.Mode.EXAM:
        now = timezone.now()
        candidates = Attempt.objects.filter(
            student=student, course=course, question=question, paper=paper, mode=mode
        ).select_related("paper")
        for attempt in candidates.order_by("-number"):
            if mode == Attempt.Mode.EXAM or not attempt.is_closed(now):
                return attempt, False
    if question is not None:
        return attempt_start_question(student=student, course=course, question=question), True
    return attempt_start_paper(student=student, paper=paper, mode=mode), True

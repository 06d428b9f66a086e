"""Writes of the autosave app: saving drafts as they are typed, and closing a timed sitting
with its saved answers submitted (by the timer at time up, or by the student).

Closing happens exactly once: it holds the attempt's row (`select_for_update`) and creates the
attempt's one `SittingClosure` in the same transaction, so of concurrent calls (the scheduled
task, the beat sweep, the student's "Finish exam") one submits and the others find it done.
A failure of ours rolls the whole closing back, drafts untouched, and the next sweep retries.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from autosave.models import AnswerDraft, SittingClosure
from autosave.selectors import answers_to_show, draft_format_problems, sittings_due_for_closing
from exams import selectors as exam_selectors
from exams.errors import ApplicationError
from exams.models import Attempt, Question, Submission, Variant, VariantAssignment
from exams.services.attempts import attempt_check_open, attempt_get_locked
from exams.services.submissions import answers_shape_check, grading_enqueue
from exams.services.variants import attempt_variant

logger = logging.getLogger(__name__)


def _draft_answers_cleaned(*, variant: Variant, answers: Any) -> dict[str, str]:
    """The parts given, checked: a JSON object of at least one known part label to text.

    Raises ApplicationError (400, `invalid_answers`) naming the wrong parts.
    """
    if isinstance(answers, dict) and not answers:
        raise ApplicationError(
            'Answers must be a JSON object mapping part labels to answer text, e.g. {"a": "0.81"}'
            " (at least one part).",
            code="invalid_answers",
        )
    return answers_shape_check(variant=variant, answers=answers)


def draft_save(
    *, attempt: Attempt, student: AbstractBaseUser, question: Question, answers: Any
) -> tuple[AnswerDraft, dict[str, str]]:
    """Save the parts given of the student's answers to one question of the attempt.

    The parts named replace those parts of the draft; others are kept. Returns the draft and
    the parts of the whole draft that cannot be read yet (label → message, as a submission's
    format check says; empty parts are unanswered, not problems). Nothing is marked or charged.

    Raises ApplicationError: 403 `not_your_attempt` (only the attempt's student writes);
    400 `attempt_closed` (finished, or past a timed sitting's deadline plus its grace, with
    `closed_at`; checked holding the attempt's row, so a draft is never stored after the
    sitting's closing submitted its drafts); 400 `invalid_answers`; and what
    `attempt_variant` raises (the question is not in the attempt: 404).
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "Only the student sitting this attempt can save answers to it.",
            code="not_your_attempt",
            status=403,
        )
    variant = attempt_variant(attempt=attempt, question=question)
    given = _draft_answers_cleaned(variant=variant, answers=answers)
    with transaction.atomic():
        # Holding the attempt's row, as closing does: a draft is stored only while the attempt
        # is open, so a closing that commits first refuses it, and one that comes after sees it.
        locked = attempt_get_locked(attempt_id=attempt.pk)
        attempt_check_open(attempt=locked)
        draft, _ = AnswerDraft.objects.select_for_update().get_or_create(
            attempt=attempt, question=question, defaults={"saved_at": timezone.now()}
        )
        draft.answers = {**draft.answers, **given}
        draft.saved_at = timezone.now()
        draft.revision += 1
        draft.save(update_fields=["answers", "saved_at", "revision"])
    return draft, draft_format_problems(variant=variant, answers=draft.answers)


def draft_follow_submission(*, submission: Submission) -> AnswerDraft | None:
    """Keep the attempt's draft of the submission's question as the typed state: each part
    whose answer the submission changed (from the submission before it on the same variant in
    the attempt, or from empty) replaces that part of the draft. Parts the submission only
    carried over are left as typed. Returns the draft changed, or None (no draft, or nothing
    changed). Call in the submission's transaction.
    """
    question_id = (
        Variant.objects.filter(pk=submission.variant_id)
        .values_list("version__question_id", flat=True)
        .first()
    )
    draft = (
        AnswerDraft.objects.select_for_update()
        .filter(attempt_id=submission.attempt_id, question_id=question_id)
        .first()
    )
    if draft is None:
        return None
    before = (
        Submission.objects.filter(
            attempt_id=submission.attempt_id, variant_id=submission.variant_id
        )
        .exclude(pk=submission.pk)
        .filter(created_at__lte=submission.created_at)
        .order_by("-created_at", "-pk")
        .only("answers")
        .first()
    )
    previous = before.answers if before is not None and isinstance(before.answers, dict) else {}
    changed = {
        label: text
        for label, text in submission.answers.items()
        if text != previous.get(label, "") and draft.answers.get(label) != text
    }
    if not changed:
        return None
    draft.answers = {**draft.answers, **changed}
    draft.revision += 1
    draft.save(update_fields=["answers", "revision"])
    return draft


def _answers_of_every_part(*, variant: Variant, answers: dict[str, str]) -> dict[str, str]:
    """The answers over every part of the variant, in order ("" for a part never typed)."""
    return {part.label: answers.get(part.label, "") for part in variant.version.parts.all()}


def _submit_saved_answers(*, attempt: Attempt) -> list[int]:
    """Submit, for each question of the attempt with a draft, the answers the page shows (the
    draft's parts over the latest submission's answers) when they differ from that submission
    and hold some answer; returns the new submissions' ids.

    The submissions are not counted against the per-student limit and are stored without the
    format check: the grader marks a part it cannot read as a format error with its message
    (the student can no longer fix it), so no question is dropped. Grading is enqueued after
    commit. Call inside the closing transaction.
    """
    created: list[int] = []
    drafts = AnswerDraft.objects.filter(attempt=attempt).select_related("question")
    assignments = {
        assignment.question_id: assignment.variant
        for assignment in VariantAssignment.objects.filter(attempt=attempt).select_related(
            "variant__version"
        )
    }
    for draft in drafts.order_by("question_id"):
        variant = assignments.get(draft.question_id)
        if variant is None:
            continue
        latest = exam_selectors.latest_submission(attempt=attempt, question=draft.question)
        shown = answers_to_show(attempt=attempt, question=draft.question, latest=latest)
        answers = _answers_of_every_part(variant=variant, answers=shown)
        if not any(text.strip() for text in answers.values()):
            continue
        if latest is not None and latest.answers == answers:
            continue
        submission = Submission.objects.create(
            attempt=attempt,
            variant=variant,
            student=attempt.student,
            answers=answers,
            max_score=Decimal(str(variant.version.max_score)),
            enqueued_at=timezone.now(),
        )
        created.append(submission.pk)
    for submission_id in created:
        transaction.on_commit(
            lambda submission_id=submission_id: grading_enqueue(submission_id=submission_id)
        )
    return created


def sitting_close_at_time_up(
    *, attempt_id: int, now: datetime | None = None
) -> SittingClosure | None:
    """Close a timed exam sitting whose deadline and grace have passed: submit its saved
    answers that differ from the latest submissions, then finish it at the deadline, recording
    that the timer closed it.

    Idempotent and exactly once: returns the closure (the existing one when already closed),
    or None when there is nothing to close (not a timed exam, not due yet, or finished by the
    student already). Raises `Attempt.DoesNotExist` for an unknown id and the database's own
    errors (nothing is then changed; the sweep retries).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            attempt = attempt_get_locked(attempt_id=attempt_id)
            existing = SittingClosure.objects.filter(attempt=attempt).first()
            if existing is not None:
                return existing
            closes = attempt.answers_close_at
            if closes is None or now < closes or attempt.finished_at is not None:
                return None
            created = _submit_saved_answers(attempt=attempt)
            closure = SittingClosure.objects.create(
                attempt=attempt,
                by=SittingClosure.By.TIMER,
                closed_at=attempt.deadline,
                submissions=created,
            )
            Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
                finished_at=attempt.deadline
            )
    except IntegrityError:
        # A concurrent closing committed first (databases without row locks).
        return SittingClosure.objects.get(attempt_id=attempt_id)
    logger.info("Timer closed exam sitting %s; submitted %s", attempt_id, created)
    return closure


def sitting_finish(*, attempt: Attempt, student: AbstractBaseUser) -> SittingClosure:
    """The student's "Finish exam": submit the saved answers that differ from the latest
    submissions (unreadable parts are marked as format errors; nothing is charged against the
    submission limit) and close the sitting now.

    Raises ApplicationError: 403 `not_your_attempt`; 400 `not_an_exam` for a practice attempt
    (finish it as before); 400 `attempt_closed` when it closed already (the timer's closing,
    if any, stands).
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only finish your own exam sitting.", code="not_your_attempt", status=403
        )
    if attempt.mode != Attempt.Mode.EXAM:
        raise ApplicationError(
            "This is a practice attempt, not an exam sitting; finish it with its own button.",
            code="not_an_exam",
        )
    with transaction.atomic():
        locked = attempt_get_locked(attempt_id=attempt.pk)
        attempt_check_open(attempt=locked)
        now = timezone.now()
        created = _submit_saved_answers(attempt=locked)
        closure = SittingClosure.objects.create(
            attempt=locked, by=SittingClosure.By.STUDENT, closed_at=now, submissions=created
        )
        Attempt.objects.filter(pk=locked.pk).update(finished_at=now)
    attempt.refresh_from_db()
    return closure


def sittings_close_due(*, now: datetime | None = None) -> list[int]:
    """The beat sweep: close every timed sitting past its deadline and grace that is still
    open. Each sitting is closed in its own transaction; one that fails is logged and left
    for the next sweep (its drafts untouched). Returns the ids of the sittings closed now.
    """
    now = now or timezone.now()
    closed: list[int] = []
    for attempt_id in sittings_due_for_closing(now=now):
        try:
            closure = sitting_close_at_time_up(attempt_id=attempt_id, now=now)
        except Exception:
            logger.exception("Could not close exam sitting %s; the next sweep retries", attempt_id)
            continue
        if closure is not None:
            closed.append(attempt_id)
    return closed


def sitting_schedule_close(*, attempt: Attempt) -> None:
    """Send the task that closes a timed sitting at its deadline plus grace (after commit).

    A broker failure is logged: the beat sweep closes the sitting anyway.
    """
    closes = attempt.answers_close_at
    if attempt.mode != Attempt.Mode.EXAM or closes is None:
        return

    def send() -> None:
        from autosave.tasks import close_sitting_at_time_up

        try:
            close_sitting_at_time_up.apply_async((attempt.pk,), eta=closes)
        except Exception:
            logger.exception(
                "Could not schedule the closing of sitting %s; the sweep will close it",
                attempt.pk,
            )

    transaction.on_commit(send)

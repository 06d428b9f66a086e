"""Submissions: accepting answers, grading them exactly once, and our failures' lifecycle.

The row is the source of truth (docs/grading.md): a worker claims a submission with a
conditional update that records a lease (`lease_owner`, `lease_expires_at`); only an expired
lease may be taken over, and the mark is written only while the lease is still held. A failure
of the service (sandbox, database, broker, a bug of ours) is never a mark: it is retried
`GRADING_QUICK_TRIES` times, then the submission waits in `error` (failure `infrastructure`)
and is retried with the backoff `GRADING_RECOVERY_BACKOFF_S` until it is marked. A fault of the
question itself leaves it in `error` (failure `question`) until an instructor re-marks it.
Leases are short and renewed while a marking runs (`lease_heartbeat`), so a dead worker's
submission is taken over within GRADING_LEASE_S; a grading message the broker did not take is
flagged on the row (`send_pending`) and sent by the outbox relay (`submissions_relay_outbox`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

import grader
from config import queues
from exams.bank_bridge import definition_from_version
from exams.errors import ApplicationError
from exams.marking_overlays import marking_overlays_apply
from exams.models import (
    Attempt,
    Course,
    Part,
    Question,
    Submission,
    Variant,
)
from exams.services.attempts import attempt_check_open, attempt_get_locked
from exams.services.variant_artefacts import (
    variant_alternatives_store,
    variant_author_runs_ensure,
)
from exams.services.variants import (
    assignment_check_answerable,
    attempt_variant_ready,
    question_current_version,
    variant_get_or_build,
)
from exams.signals import submission_marked_send
from exams.submission_events import submission_changed_publish
from exams.variant_marking import variant_answers_mark
from grader.code.syntax import MAX_SOURCE_CHARS
from question_engine.errors import BankError, SandboxFailure

logger = logging.getLogger(__name__)

# The longest answer any part's format reads (a code part's source); longer text could never
# be marked, so neither a submission nor a draft stores it.
ANSWER_MAX_CHARS = MAX_SOURCE_CHARS


def answers_shape_check(*, variant: Variant, answers: Any) -> dict[str, str]:
    """The answers as sent, checked for shape: a JSON object mapping this variant's part labels
    (any subset) to text.

    Raises ApplicationError (400, `invalid_answers`) naming the wrong parts in
    `details.parts`: not an object, unknown part labels, answers that are not strings, that
    hold a NUL character (no answer format reads one, and the database cannot store it) or
    that are longer than ANSWER_MAX_CHARS characters.
    """
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
    with_nul = sorted(label for label, value in answers.items() if "\x00" in value)
    if with_nul:
        raise ApplicationError(
            "An answer contains a NUL character (\\u0000), which no answer can hold; remove it "
            "(paste the answer as plain text) and save again.",
            code="invalid_answers",
            details={"parts": {label: "contains a NUL character" for label in with_nul}},
        )
    too_long = sorted(label for label, value in answers.items() if len(value) > ANSWER_MAX_CHARS)
    if too_long:
        raise ApplicationError(
            f"An answer is longer than {ANSWER_MAX_CHARS:,} characters, the most any part reads; "
            "shorten it and save again.",
            code="invalid_answers",
            details={
                "parts": {
                    label: f"{len(answers[label]):,} characters; the limit is {ANSWER_MAX_CHARS:,}"
                    for label in too_long
                }
            },
        )
    return dict(answers)


def _answers_cleaned(*, variant: Variant, answers: Any) -> dict[str, str]:
    answers = answers_shape_check(variant=variant, answers=answers)
    labels = [part.label for part in variant.version.parts.all()]
    if all(grader.is_unanswered(value) for value in answers.values()):
        raise ApplicationError(
            "Every answer is empty, so there is nothing to mark; nothing was submitted. "
            "Answer at least one part (parts you leave out keep your last saved answer).",
            code="no_answers",
        )
    return {label: answers[label] for label in labels if label in answers}


def _display_label(variant: Variant, label: str) -> str:
    """The part as the paper names it, e.g. "(b)(ii)"; the label itself when unknown."""
    part = next((p for p in variant.version.parts.all() if p.label == label), None)
    return part.display_label if part is not None else label


def _answers_merged(*, attempt: Attempt, variant: Variant, sent: dict[str, str]) -> dict[str, str]:
    """Every part's answer: those sent, the others kept from the latest submission on the same
    variant in this attempt (empty when there is none). Call inside the transaction holding
    the student's row, so concurrent part saves see each other."""
    labels = [part.label for part in variant.version.parts.all()]
    latest = (
        Submission.objects.filter(attempt=attempt, variant=variant)
        .order_by("-created_at", "-pk")
        .only("answers")
        .first()
    )
    kept = latest.answers if latest is not None and isinstance(latest.answers, dict) else {}
    return {label: sent[label] if label in sent else str(kept.get(label, "")) for label in labels}


def submission_create(
    *, attempt: Attempt, student: AbstractBaseUser, answers: Any, question: Question | None = None
) -> Submission:
    """Validate the answers' format, store the submission as pending, grade it after commit.

    Raises what `submission_submit` raises (without an idempotency key).
    """
    return submission_submit(
        attempt=attempt, student=student, answers=answers, question=question
    ).submission


@dataclass(frozen=True)
class SubmissionOutcome:
    """A submission accepted now, or (`replayed`) the one an earlier request with the same
    Idempotency-Key and body created."""

    submission: Submission
    replayed: bool


IDEMPOTENCY_KEY_MAX_CHARS = Submission._meta.get_field("idempotency_key").max_length


def _idempotency_key_cleaned(key: str) -> str:
    """The key as sent; raises ApplicationError (400, `invalid_idempotency_key`) unless it is
    1 to 255 visible ASCII characters."""
    if not key:
        return ""
    if len(key) > IDEMPOTENCY_KEY_MAX_CHARS or not all(33 <= ord(c) <= 126 for c in key):
        raise ApplicationError(
            f"The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX_CHARS} visible ASCII "
            "characters without spaces (a UUID is a good choice).",
            code="invalid_idempotency_key",
        )
    return key


def submission_fingerprint(*, attempt: Attempt, question: Question | None, answers: Any) -> str:
    """SHA-256 of what a submission request asks for: the attempt, the question, the answers.

    The question is the one the request resolves to: a single-question attempt's own question
    whether the request names it or leaves it out."""
    question = question or attempt.question
    body = {
        "attempt": attempt.pk,
        "question": question.slug if question else None,
        "answers": answers,
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _replayed(*, attempt: Attempt, key: str, fingerprint: str) -> Submission | None:
    """The submission stored earlier in the attempt under the key, or None; raises
    ApplicationError (409, `idempotency_key_reused`) when it was created from a different
    request. Keys are scoped to the attempt: another attempt's (or course's) never matches."""
    earlier = Submission.objects.filter(attempt=attempt, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise ApplicationError(
            f"The Idempotency-Key '{key}' was already used for submission {earlier.pk} with a "
            "different request (attempt, question or answers); nothing was submitted. Use a new "
            "key for a new submission, or repeat the first request exactly to get its result.",
            code="idempotency_key_reused",
            status=409,
            details={"submission": earlier.pk},
        )
    return earlier


def submission_limit_check(*, student: AbstractBaseUser, course: Course) -> None:
    """Refuse a submission over the course's per-student limit (`submissions_per_window` in
    the last `submission_window_seconds`), counted from the stored submissions.

    Raises ApplicationError (429, `submission_limit`) with `retry_after_s`: the seconds until
    enough of the student's submissions have left the window for one more to be accepted.
    """
    now = timezone.now()
    window = timedelta(seconds=course.submission_window_seconds)
    recent = Submission.objects.filter(
        student=student, attempt__course=course, created_at__gt=now - window
    )
    limit = course.submissions_per_window
    count = recent.count()
    if count < limit:
        return
    leaving = recent.order_by("created_at").values_list("created_at", flat=True)[count - limit]
    retry_after_s = max(1, math.ceil((leaving + window - now).total_seconds()))
    raise ApplicationError(
        f"This student has submitted {count} answers in this course in the last "
        f"{course.submission_window_seconds} seconds, and the course allows {limit}; nothing "
        f"was submitted. Submit again in {retry_after_s} seconds.",
        code="submission_limit",
        status=429,
        details={
            "retry_after_s": retry_after_s,
            "limit": limit,
            "window_s": course.submission_window_seconds,
        },
    )


def submission_submit(
    *,
    attempt: Attempt,
    student: AbstractBaseUser,
    answers: Any,
    question: Question | None = None,
    idempotency_key: str = "",
) -> SubmissionOutcome:
    """Validate the answers' format, store the submission as pending, grade it after commit.

    `answers` maps part labels to answer text and may carry any subset of the parts: a part
    left out keeps its answer from the latest submission on the same variant in this attempt
    (so one part can be saved and marked on its own); an empty answer is unanswered (scored
    0, status `unanswered`). The stored submission holds every part's answer.

    With an `idempotency_key`, a request repeating an earlier one in the same attempt (same
    key, question and answers) returns that submission (`replayed`) and stores nothing; the
    database allows one submission per (attempt, key), so concurrent repeats store one. The
    course's per-student limit is counted inside the transaction, holding the student's row,
    so concurrent submissions cannot pass it together.

    Raises ApplicationError: 403 for another student's attempt; 400 `invalid_idempotency_key`;
    409 `idempotency_key_reused` (same key, different request); 429 `submission_limit`
    (with `retry_after_s`); 400 `attempt_closed` / `invalid_answers` (not an object, unknown
    parts, non-text or unreadable answers, each part named in `details.parts`) / `no_answers`
    (every answer sent is empty); and what
    `attempt_variant_ready` (409 `variant_preparing`, `variant_failed`: nothing stored) and
    `assignment_check_answerable` raise.
    """
    if attempt.student_id != student.pk:
        raise ApplicationError(
            "You can only submit to your own attempts. To submit for a student, use the "
            "course's API key (Authorization: Api-Key …).",
            code="not_your_attempt",
            status=403,
        )
    key = _idempotency_key_cleaned(idempotency_key)
    fingerprint = submission_fingerprint(attempt=attempt, question=question, answers=answers)
    if key:
        earlier = _replayed(attempt=attempt, key=key, fingerprint=fingerprint)
        if earlier is not None:
            return SubmissionOutcome(submission=earlier, replayed=True)
    attempt_check_open(attempt=attempt)
    variant = attempt_variant_ready(attempt=attempt, question=question)
    assignment_check_answerable(attempt=attempt, variant=variant)
    cleaned = _answers_cleaned(variant=variant, answers=answers)
    definition = definition_from_version(variant.version)
    parts = definition.part_specs()
    problems = grader.check_format(parts, cleaned)
    if problems:
        described = "; ".join(
            f"part {_display_label(variant, label)}: {message}"
            for label, message in problems.items()
        )
        raise ApplicationError(
            f"Some answers could not be read, so nothing was submitted ({described}).",
            code="invalid_answers",
            details={"parts": problems, "error_lines": grader.code_error_lines(parts, cleaned)},
        )
    try:
        with transaction.atomic():
            # Holding the attempt's row first (as closing a sitting and saving a draft do):
            # a sitting closed meanwhile (Finish, time up) refuses this submission.
            attempt_check_open(attempt=attempt_get_locked(attempt_id=attempt.pk))
            # Holding the student's row serializes their submissions: the limit's count and
            # the idempotency check below see every earlier one.
            get_user_model().objects.select_for_update().only("pk").get(pk=student.pk)
            if key:
                earlier = _replayed(attempt=attempt, key=key, fingerprint=fingerprint)
                if earlier is not None:
                    return SubmissionOutcome(submission=earlier, replayed=True)
            submission_limit_check(student=student, course=attempt.course)
            # Again, holding the assignment's row: a solution revealed since the check above
            # (a concurrent request) must not let this answer be scored.
            assignment_check_answerable(attempt=attempt, variant=variant, lock=True)
            merged = _answers_merged(attempt=attempt, variant=variant, sent=cleaned)
            submission = Submission.objects.create(
                attempt=attempt,
                variant=variant,
                student=student,
                answers=merged,
                max_score=Decimal(str(variant.version.max_score)),
                enqueued_at=timezone.now(),
                # Written with the row: if the send after commit never happens (the broker is
                # down, the process dies), the outbox relay sends it (`submissions_relay_outbox`).
                send_pending=True,
                idempotency_key=key,
                request_fingerprint=fingerprint if key else "",
            )
            transaction.on_commit(lambda: grading_enqueue(submission_id=submission.pk))
    except IntegrityError:
        # A concurrent request with the same key committed first.
        earlier = _replayed(attempt=attempt, key=key, fingerprint=fingerprint) if key else None
        if earlier is None:
            raise
        return SubmissionOutcome(submission=earlier, replayed=True)
    return SubmissionOutcome(submission=submission, replayed=False)


PENDING = Submission.Status.PENDING
GRADING = Submission.Status.GRADING
ERROR = Submission.Status.ERROR
INFRASTRUCTURE = Submission.Failure.INFRASTRUCTURE
QUESTION = Submission.Failure.QUESTION
DETAIL_MAX_CHARS = 2000


def grading_queue(*, submission_id: int) -> str:
    """The Celery queue marking this submission: CODE when its question has a code part (its
    tests run in the sandbox), else MARKING (config/queues.py)."""
    has_code = Part.objects.filter(
        version__variants__submissions__pk=submission_id, kind="code"
    ).exists()
    return queues.CODE if has_code else queues.MARKING


# How hard one send tries the broker before giving up (the outbox relay sends it later): a
# request never waits on a broker that is down for more than a fraction of a second.
BROKER_SEND_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.0,
    "interval_step": 0.1,
    "interval_max": 0.2,
}


def _grading_send(*, submission_id: int, countdown_s: float = 0.0) -> bool:
    """Publish the grading task to its queue; True if the broker took it, False (logged)
    when the broker (or the database choosing the queue) failed."""
    from exams.tasks import grade_submission

    try:
        grade_submission.apply_async(
            (submission_id,),
            countdown=countdown_s or None,
            queue=grading_queue(submission_id=submission_id),
            retry_policy=BROKER_SEND_RETRY_POLICY,
        )
    except Exception as exc:
        logger.warning(
            "Could not enqueue submission %s (%s: %s); the outbox relay will send it",
            submission_id,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def grading_enqueue(*, submission_id: int, countdown_s: float = 0.0) -> None:
    """Send the grading task to its queue (after `countdown_s` seconds), never raising.

    The row's `send_pending` flag records the outcome: cleared once the broker took the
    message, set when it did not, so `submissions_relay_outbox` sends it as soon as the broker
    answers again. If even the database cannot record it, the stale-submission sweep re-sends
    the row after GRADING_STALE_AFTER_S.
    """
    sent = _grading_send(submission_id=submission_id, countdown_s=countdown_s)
    try:
        if sent:
            Submission.objects.filter(pk=submission_id, send_pending=True).update(
                send_pending=False
            )
        else:
            Submission.objects.filter(pk=submission_id).update(send_pending=True)
    except DatabaseError:
        logger.warning(
            "Submission %s: could not record whether its grading message was sent; the "
            "stale-submission sweep will send it again if needed",
            submission_id,
        )


def submissions_relay_outbox(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Send the grading messages the broker did not take; returns the ids sent.

    Takes up to `limit` rows flagged `send_pending` whose last enqueue (`enqueued_at`) is at
    least GRADING_OUTBOX_EVERY_S old (a younger one may still be being sent by its own
    request), oldest first: a `pending` one is sent and its `enqueued_at` moves to now; one
    that is no longer pending (a duplicate message marked it) just loses the flag. Stops at the
    first failed send (the broker is still down; the next pass tries again). Each row is taken
    by a conditional update, so two relays at once send a row once.
    """
    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.GRADING_OUTBOX_EVERY_S)
    flagged = Submission.objects.filter(send_pending=True).filter(
        Q(enqueued_at__lte=due_before) | Q(enqueued_at__isnull=True)
    )
    rows = list(flagged.order_by("enqueued_at", "pk").values_list("pk", "status")[:limit])
    sent: list[int] = []
    for submission_id, status in rows:
        row = flagged.filter(pk=submission_id)
        if status != PENDING:
            row.exclude(status=PENDING).update(send_pending=False)
            continue
        if not row.filter(status=PENDING).update(enqueued_at=now):
            continue
        if not _grading_send(submission_id=submission_id):
            break
        Submission.objects.filter(pk=submission_id).update(send_pending=False)
        sent.append(submission_id)
    return sent


def grading_worker_id(task_id: str | None = None) -> str:
    """`host:pid:task id` naming one grading run (a random id when not run as a Celery task)."""
    return f"{socket.gethostname()}:{os.getpid()}:{task_id or uuid.uuid4().hex}"


def _pause(pauses_s: list[float], index: int) -> float:
    """The `index`-th pause of a backoff list; the last one repeats."""
    return float(pauses_s[min(index, len(pauses_s) - 1)]) if pauses_s else 0.0


def _error_fields(
    *, failure: str, detail: str, recovery_tries: int, now: datetime
) -> dict[str, Any]:
    """Column values of a submission that ends (for now) in `error`."""
    retry_at = None
    if failure == INFRASTRUCTURE:
        retry_at = now + timedelta(
            seconds=_pause(settings.GRADING_RECOVERY_BACKOFF_S, recovery_tries)
        )
    return {
        "status": ERROR,
        "failure": failure,
        "error_message": detail[:DETAIL_MAX_CHARS],
        "lease_owner": "",
        "lease_expires_at": None,
        "next_retry_at": retry_at,
    }


def failure_kind(exc: BaseException) -> str:
    """Whose fault an exception raised while marking is: the question's, or the service's.

    Only a fault of the question's own code or files (`BankError` other than `SandboxFailure`)
    is the question's; the sandbox, the database, the broker and any bug of ours are the
    service's (`infrastructure`). Never the student's: their code's failures are marks.
    """
    if isinstance(exc, BankError) and not isinstance(exc, SandboxFailure):
        return QUESTION
    return INFRASTRUCTURE


def submission_claim(*, submission_id: int, worker: str) -> bool:
    """Take the submission for grading by `worker`; True if this call won it.

    One conditional update: only a `pending` submission, or a `grading` one whose lease has
    expired (its worker died or hung), with quick tries left, is taken. Of racing claims
    exactly one changes the row; the winner holds the lease for GRADING_LEASE_S (renewed while
    it marks, by `lease_heartbeat`).
    """
    now = timezone.now()
    claimed = Submission.objects.filter(
        Q(status=PENDING) | Q(status=GRADING, lease_expires_at__lt=now),
        pk=submission_id,
        quick_tries__lt=settings.GRADING_QUICK_TRIES,
    ).update(
        status=GRADING,
        lease_owner=worker,
        lease_expires_at=now + timedelta(seconds=settings.GRADING_LEASE_S),
        grading_started_at=now,
        grading_runs=F("grading_runs") + 1,
        quick_tries=F("quick_tries") + 1,
    )
    return claimed == 1


def _held(submission_id: int, worker: str) -> QuerySet[Submission]:
    """The submission, only while `worker` holds its grading lease (else no row)."""
    return Submission.objects.filter(pk=submission_id, status=GRADING, lease_owner=worker)


@contextmanager
def lease_heartbeat(*, submission_id: int, worker: str) -> Iterator[None]:
    """Keep `worker`'s grading lease on the submission alive while the block runs.

    A background thread moves `lease_expires_at` to now + GRADING_LEASE_S every
    GRADING_HEARTBEAT_S seconds, only while `worker` still holds the lease (it stops once the
    lease was taken over or released). A database error of one renewal is logged and the next
    renewal tries again. The thread uses (and closes) its own database connection, and is
    stopped and joined when the block ends, however it ends.
    """
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.GRADING_HEARTBEAT_S):
                try:
                    kept = _held(submission_id, worker).update(
                        lease_expires_at=timezone.now()
                        + timedelta(seconds=settings.GRADING_LEASE_S)
                    )
                except DatabaseError as exc:
                    logger.warning("Submission %s: lease renewal failed: %s", submission_id, exc)
                    continue
                if not kept:
                    return
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{submission_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _lease_release(*, submission_id: int, worker: str) -> None:
    """Put a submission `worker` holds back to `pending` after a database error cut its
    marking short, so a retry can claim it at once; nothing if the database is still down
    (the lease then expires and the sweep takes the row over)."""
    try:
        _held(submission_id, worker).update(
            status=PENDING, lease_owner="", lease_expires_at=None, enqueued_at=timezone.now()
        )
    except DatabaseError as exc:
        logger.warning("Submission %s: could not release the lease: %s", submission_id, exc)


def submission_grade(*, submission_id: int, worker: str | None = None) -> Submission:
    """Claim, mark and store one submission; a failure of ours is recorded, never a mark.

    While marking, the lease is renewed by `lease_heartbeat`, so a marking that runs long
    keeps it and a dead worker's lease expires within GRADING_LEASE_S.

    Returns the row as it stands afterwards: `graded`; `pending` again after an
    infrastructure failure with quick tries left (a retry is enqueued after the next pause of
    GRADING_QUICK_BACKOFF_S); `error` (infrastructure with `next_retry_at`, or question); or
    unchanged when it is final already or another worker holds it. Running it twice gives one
    mark. Raises `Submission.DoesNotExist` for an unknown id, and the database's own errors
    (`django.db.DatabaseError`) when the database is down: the claim is then released when
    the database allows it (else the sweep takes the row over once its lease expires), and
    nothing else was written (every write is one conditional update).
    """
    worker = worker or grading_worker_id()
    if not submission_claim(submission_id=submission_id, worker=worker):
        return Submission.objects.get(pk=submission_id)
    try:
        with lease_heartbeat(submission_id=submission_id, worker=worker):
            return submission_mark(submission_id=submission_id, worker=worker)
    except DatabaseError:
        _lease_release(submission_id=submission_id, worker=worker)
        raise


def submission_mark(*, submission_id: int, worker: str) -> Submission:
    """Mark a submission `worker` has claimed; store the outcome only while holding the lease.

    A worker whose lease was taken over (it was too slow or presumed dead) stores nothing:
    the row keeps the new holder's outcome. Marks given by hand (`exams.marking_overlays`) are
    laid over the fresh result, so a re-mark or regrade keeps them. Returns the row as it
    stands afterwards.
    """
    submission = Submission.objects.select_related("variant__version").get(pk=submission_id)
    variant = submission.variant
    try:
        result = variant_answers_mark(
            definition=definition_from_version(variant.version),
            params=variant.params,
            reference=variant.reference,
            answers=submission.answers,
            author_runs=variant_author_runs_ensure(variant=variant),
            alternatives_found=lambda found: variant_alternatives_store(
                variant=variant, alternatives=found
            ),
        )
    except Exception as exc:
        failure = failure_kind(exc)
        detail = f"{type(exc).__name__}: {exc}"
        if failure == QUESTION:
            logger.error("Submission %s: the question failed: %s", submission_id, detail)
        elif isinstance(exc, SandboxFailure):
            logger.warning("Submission %s: the sandbox failed: %s", submission_id, detail)
        else:
            logger.exception("Submission %s: marking failed on our side", submission_id)
        return _submission_failed(
            submission_id=submission_id, worker=worker, failure=failure, detail=detail
        )
    # Marks given by hand (manual marking, self-assessment) survive marking again.
    feedback, overlaid_score = marking_overlays_apply(
        submission=submission, feedback=result.as_dict()["parts"]
    )
    written = _held(submission_id, worker).update(
        status=Submission.Status.GRADED,
        score=overlaid_score
        if overlaid_score is not None
        else Decimal(str(round(result.score, 3))),
        max_score=Decimal(str(round(result.max_score, 3))),
        feedback=feedback,
        graded_at=timezone.now(),
        failure="",
        error_message="",
        lease_owner="",
        lease_expires_at=None,
        next_retry_at=None,
    )
    if not written:
        logger.warning("Submission %s: lost the lease before storing the mark", submission_id)
        return Submission.objects.get(pk=submission_id)
    marked = Submission.objects.get(pk=submission_id)
    # The student's waiting page first, then the follow-ups (passback, webhooks).
    transaction.on_commit(lambda: submission_changed_publish(submission_id=submission_id))
    transaction.on_commit(lambda: submission_marked_send(submission=marked))
    return marked


def _submission_failed(*, submission_id: int, worker: str, failure: str, detail: str) -> Submission:
    """Record a failure while still holding the lease: retry soon, or wait in `error`."""
    held = _held(submission_id, worker)
    row = held.first()
    if row is None:
        logger.warning("Submission %s: lost the lease before recording a failure", submission_id)
        return Submission.objects.get(pk=submission_id)
    now = timezone.now()
    if failure == INFRASTRUCTURE and row.quick_tries < settings.GRADING_QUICK_TRIES:
        pause_s = _pause(settings.GRADING_QUICK_BACKOFF_S, row.quick_tries - 1)
        with transaction.atomic():
            moved = held.update(
                status=PENDING,
                lease_owner="",
                lease_expires_at=None,
                enqueued_at=now + timedelta(seconds=pause_s),
                error_message=detail[:DETAIL_MAX_CHARS],
            )
            if moved:
                transaction.on_commit(
                    lambda: grading_enqueue(submission_id=submission_id, countdown_s=pause_s)
                )
    elif held.update(
        **_error_fields(failure=failure, detail=detail, recovery_tries=row.recovery_tries, now=now)
    ):
        transaction.on_commit(lambda: submission_changed_publish(submission_id=submission_id))
    return Submission.objects.get(pk=submission_id)


def submissions_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Enqueue again what lost its worker or its queue message; returns the ids enqueued.

    - `grading` rows whose lease expired go back to `pending` and are enqueued, or, when their
      GRADING_QUICK_TRIES are used up, to `error` (infrastructure) with `next_retry_at` set;
    - `pending` rows last enqueued (`enqueued_at`, else created) more than
      GRADING_STALE_AFTER_S ago are enqueued again and `enqueued_at` moves to now, so a row
      waiting behind a long queue is re-sent at most once per GRADING_STALE_AFTER_S (one
      that can no longer be claimed, its quick tries used up, goes to `error` instead).
    Each change is a conditional update, so two sweeps at once enqueue a row once.
    """
    now = now or timezone.now()
    requeued: list[int] = []
    for row in Submission.objects.filter(status=GRADING, lease_expires_at__lt=now):
        same = Submission.objects.filter(
            pk=row.pk, status=GRADING, lease_owner=row.lease_owner, lease_expires_at__lt=now
        )
        if row.quick_tries >= settings.GRADING_QUICK_TRIES:
            detail = (
                f"grading stopped without a result {row.quick_tries} times in a row "
                f"(the worker died or hung; last worker {row.lease_owner})"
            )
            same.update(
                **_error_fields(
                    failure=INFRASTRUCTURE,
                    detail=detail,
                    recovery_tries=row.recovery_tries,
                    now=now,
                )
            )
        elif same.update(status=PENDING, lease_owner="", lease_expires_at=None, enqueued_at=now):
            requeued.append(row.pk)
    stale_before = now - timedelta(seconds=settings.GRADING_STALE_AFTER_S)
    stale = Submission.objects.filter(status=PENDING).filter(
        Q(enqueued_at__lt=stale_before) | Q(enqueued_at__isnull=True, created_at__lt=stale_before)
    )
    for row in list(stale.only("pk", "quick_tries", "recovery_tries")):
        same = stale.filter(pk=row.pk)
        if row.quick_tries >= settings.GRADING_QUICK_TRIES:
            detail = f"its {row.quick_tries} quick tries were used up before a worker claimed it"
            same.update(
                **_error_fields(
                    failure=INFRASTRUCTURE,
                    detail=detail,
                    recovery_tries=row.recovery_tries,
                    now=now,
                )
            )
        elif same.update(enqueued_at=now):
            requeued.append(row.pk)
    for submission_id in requeued:
        grading_enqueue(submission_id=submission_id)
    return requeued


def submissions_recover_due(*, now: datetime | None = None) -> list[int]:
    """Enqueue again the submissions waiting in `error` for our failures whose retry is due.

    Each goes back to `pending` with fresh quick tries and `recovery_tries` + 1; if it fails
    again it waits for the next pause of GRADING_RECOVERY_BACKOFF_S. Rows in `error` without a
    retry time (from before the lifecycle existed) are due at once. Returns the ids enqueued.
    """
    now = now or timezone.now()
    due = Submission.objects.filter(status=ERROR, failure=INFRASTRUCTURE).filter(
        Q(next_retry_at__lte=now) | Q(next_retry_at__isnull=True)
    )
    recovered = [
        submission_id
        for submission_id in list(due.values_list("pk", flat=True))
        if due.filter(pk=submission_id).update(
            status=PENDING,
            failure="",
            next_retry_at=None,
            quick_tries=0,
            recovery_tries=F("recovery_tries") + 1,
            enqueued_at=now,
        )
    ]
    for submission_id in recovered:
        grading_enqueue(submission_id=submission_id)
    return recovered


def _fixed_variant(variant: Variant) -> Variant:
    """The current version's variant with the same numbers, else `variant` itself."""
    version = question_current_version(question=variant.version.question)
    if version.pk == variant.version_id:
        return variant
    newer = variant_get_or_build(
        course=variant.course,
        version=version,
        seed=None if variant.is_paper else variant.seed,
        paper=variant.is_paper,
    )
    return newer if newer.params == variant.params else variant


def submission_remark(*, submission: Submission) -> Submission:
    """Mark a submission in `error` again, now (an instructor fixed the question or service).

    If the question has a newer version whose variant for the same seed (or the paper's
    numbers) has the same parameters, the submission moves to it so the fixed code marks it;
    otherwise it is marked with the version the student answered. Raises ApplicationError (409)
    when it is not in `error`, and (503) when the newer variant cannot be built now.
    """
    if submission.status != ERROR:
        raise ApplicationError(
            f"Submission {submission.pk} is {submission.status}, not in error; only failed "
            "submissions can be re-marked.",
            code="not_in_error",
            status=409,
        )
    variant = _fixed_variant(submission.variant)
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=ERROR).update(
            variant=variant,
            max_score=Decimal(str(variant.version.max_score)),
            status=PENDING,
            failure="",
            next_retry_at=None,
            quick_tries=0,
            recovery_tries=0,
            enqueued_at=timezone.now(),
        )
        if moved:
            transaction.on_commit(lambda: grading_enqueue(submission_id=submission.pk))
    submission.refresh_from_db()
    return submission


def submissions_regrade(
    *, submissions: QuerySet[Submission], enqueue: bool = True
) -> tuple[list[int], list[int]]:
    """Mark the given submissions again, in the background, through the grading queue.

    Each submission that is not being marked already goes back to `pending` (its last score
    kept until the new mark replaces it), moving to the question's current version when that
    version gives the same numbers (as `submission_remark` does), and is enqueued after
    commit; one still `pending` or `grading` is left alone, since its mark is coming.
    Returns (ids queued, ids skipped because their marking is under way). Raises
    ApplicationError (503) when a newer version's variant cannot be built now. With
    `enqueue=False` nothing is sent: the caller (a regrade job) claims and marks the rows
    itself with `submission_grade`, and the stale-submission sweep sends any it leaves.
    """
    queued: list[int] = []
    in_flight: list[int] = []
    fixed: dict[int, Variant] = {}
    now = timezone.now()
    rows = submissions.select_related("variant__version__question", "variant__course")
    for row in rows.order_by("pk"):
        if row.status in (PENDING, GRADING):
            in_flight.append(row.pk)
            continue
        if row.variant_id not in fixed:
            fixed[row.variant_id] = _fixed_variant(row.variant)
        variant = fixed[row.variant_id]
        moved = Submission.objects.filter(pk=row.pk, status=row.status).update(
            variant=variant,
            max_score=Decimal(str(variant.version.max_score)),
            status=PENDING,
            failure="",
            error_message="",
            next_retry_at=None,
            quick_tries=0,
            recovery_tries=0,
            lease_owner="",
            lease_expires_at=None,
            enqueued_at=now,
        )
        (queued if moved else in_flight).append(row.pk)
    if not enqueue:
        return queued, in_flight
    for submission_id in queued:
        transaction.on_commit(
            lambda submission_id=submission_id: grading_enqueue(submission_id=submission_id)
        )
    return queued, in_flight

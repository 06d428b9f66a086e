"""Celery tasks: thin wrappers that call services (the grading lifecycle: docs/grading.md)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from exams import services
from exams.models import Submission, Variant
from question_engine.errors import SandboxFailure

logger = logging.getLogger(__name__)


# Pauses before the grading task runs again after a database error: 1, 2, 4, … seconds, at most
# DATABASE_RETRY_MAX_PAUSE_S, DATABASE_RETRIES times (about ten minutes in all); after that the
# row, still in the database, is taken up by the sweep.
DATABASE_RETRIES = 25
DATABASE_RETRY_MAX_PAUSE_S = 30


@shared_task(bind=True, acks_late=True)
def grade_submission(self, submission_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    """Claim and mark one submission; returns its status afterwards.

    Failures of the marking are handled by the service (retried soon, or left in `error` for
    the recovery), never by Celery retries. A database error (the database down or locked)
    is the exception: nothing was stored, and the task runs again after a growing pause
    (1, 2, 4, … up to DATABASE_RETRY_MAX_PAUSE_S seconds) instead of dropping the message.
    """
    worker = services.grading_worker_id(f"{self.request.id}:{self.request.retries}")
    try:
        return services.submission_grade(submission_id=submission_id, worker=worker).status
    except Submission.DoesNotExist:
        logger.warning("Submission %s no longer exists; nothing to grade", submission_id)
        return "missing"
    except (OperationalError, InterfaceError) as exc:
        pause_s = min(DATABASE_RETRY_MAX_PAUSE_S, 2**self.request.retries)
        logger.warning(
            "Submission %s: the database is unavailable (%s); grading again in %s s",
            submission_id,
            exc,
            pause_s,
        )
        raise self.retry(exc=exc, countdown=pause_s, max_retries=DATABASE_RETRIES) from None


@shared_task
def requeue_stale_submissions() -> int:
    """Enqueue again submissions that lost their worker or queue message (beat, every minute)."""
    requeued = services.submissions_requeue_stale()
    if requeued:
        logger.info("Requeued stale submissions %s", requeued)
    return len(requeued)


@shared_task
def recover_failed_submissions() -> int:
    """Retry submissions waiting in `error` for our failures whose next retry is due (beat)."""
    recovered = services.submissions_recover_due()
    if recovered:
        logger.info("Retrying submissions that failed on our side: %s", recovered)
    return len(recovered)


@shared_task(bind=True, acks_late=True, max_retries=None)
def build_variant(self, variant_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    """Build one `building` variant (services.variant_build); returns its state afterwards.

    The sandbox's failures are ours: the task is retried after each pause of
    VARIANT_BUILD_RETRY_BACKOFF_S in turn (the last repeats, without end), the student's page
    saying "preparing" meanwhile. A fault of the question's code leaves the row `failed`.
    """
    try:
        return services.variant_build(variant_id=variant_id).state
    except Variant.DoesNotExist:
        logger.warning("Variant %s no longer exists; nothing to build", variant_id)
        return "missing"
    except SandboxFailure as exc:
        pauses = settings.VARIANT_BUILD_RETRY_BACKOFF_S
        pause_s = pauses[min(self.request.retries, len(pauses) - 1)]
        logger.warning(
            "Variant %s: the sandbox failed (%s); building again in %s s", variant_id, exc, pause_s
        )
        raise self.retry(exc=exc, countdown=pause_s) from exc

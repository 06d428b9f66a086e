"""Celery tasks: thin wrappers that call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from exams import services
from exams.models import Submission

logger = logging.getLogger(__name__)

GRADING_MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=GRADING_MAX_RETRIES)
def grade_submission(self, submission_id: int) -> None:
    try:
        services.submission_grade(submission_id=submission_id)
    except Submission.DoesNotExist:
        logger.warning("Submission %s no longer exists; nothing to grade", submission_id)
    except Exception as exc:
        if self.request.retries >= GRADING_MAX_RETRIES:
            logger.exception("Giving up on submission %s", submission_id)
            services.submission_mark_failed(
                submission_id=submission_id,
                message="Marking failed on our side; an instructor has been told. "
                "Your answers are stored and this cost you no attempt.",
            )
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task
def requeue_stale_submissions() -> int:
    requeued = services.submissions_requeue_stale(
        pending_after_s=settings.GRADING_STALE_AFTER_S // 5,
        grading_after_s=settings.GRADING_STALE_AFTER_S,
    )
    if requeued:
        logger.info("Requeued stale submissions %s", requeued)
    return len(requeued)

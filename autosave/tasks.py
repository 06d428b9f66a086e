"""Celery tasks closing timed exam sittings at time up (thin wrappers over services)."""

from __future__ import annotations

import logging

from celery import shared_task

from autosave import services
from exams.models import Attempt

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=20,
)
def close_sitting_at_time_up(self, attempt_id: int) -> str:  # noqa: ANN001 - Celery's bound task
    """Close one sitting at its deadline plus grace (scheduled when it starts); returns what
    happened. Our failures are retried (and the beat sweep retries too); the drafts stay."""
    try:
        closure = services.sitting_close_at_time_up(attempt_id=attempt_id)
    except Attempt.DoesNotExist:
        logger.warning("Attempt %s no longer exists; nothing to close", attempt_id)
        return "missing"
    return "closed" if closure is not None else "not_due"


@shared_task
def autosubmit_due_sittings() -> int:
    """Beat sweep: close every timed sitting past its deadline and grace; returns how many."""
    return len(services.sittings_close_due())

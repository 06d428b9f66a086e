"""Celery tasks: thin wrappers around the passback services."""

from __future__ import annotations

import logging

from celery import shared_task

from lti_grades import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_attempt_passbacks(attempt_id: int) -> int:
    """Recompute an attempt's score for each of its line items; queue the changed ones."""
    return len(services.attempt_passbacks_refresh(attempt_id=attempt_id))


@shared_task(acks_late=True)
def send_score_passback(passback_id: int) -> str:
    """Send one score to its line item; failures are recorded and retried by the service."""
    row = services.passback_send(passback_id=passback_id)
    return row.status if row is not None else "missing"


@shared_task
def sweep_score_passbacks() -> int:
    """Send held scores whose results are out and re-queue lost sends (beat)."""
    queued = services.passbacks_sweep()
    if queued:
        logger.info("Re-queued score passbacks %s", queued)
    return len(queued)

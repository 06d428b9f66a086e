"""Celery tasks: thin wrappers around the delivery services."""

from __future__ import annotations

import logging

from celery import shared_task

from webhooks import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_delivery(delivery_id: int) -> str:
    """Make the next attempt of one webhook delivery; returns its status afterwards.

    Retries are enqueued by the service after each failed attempt (WEBHOOKS_RETRY_BACKOFF_S),
    never by Celery itself; a duplicate of this task finds nothing due and sends nothing.
    """
    delivery = services.delivery_send(delivery_id=delivery_id)
    if delivery is None:
        logger.info("Webhook delivery %s no longer exists; nothing to send", delivery_id)
        return "missing"
    return delivery.status


@shared_task
def send_due_deliveries() -> int:
    """Enqueue deliveries whose attempt is overdue (lost message, dead worker) (beat)."""
    due = services.deliveries_send_due()
    if due:
        logger.info("Sending overdue webhook deliveries %s", due)
    return len(due)

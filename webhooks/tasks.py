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
    """Enqueue deliveries whose attempt is overdue (lost message, dead worker), and make the
    follow-ups of scores held back until the student could see them (beat). Returns how many
    deliveries were enqueued."""
    due = services.deliveries_send_due()
    if due:
        logger.info("Sending overdue webhook deliveries %s", due)
    released = services.deliveries_create_for_released_results()
    if released:
        logger.info("Sending released scores in webhook deliveries %s", [d.pk for d in released])
    return len(due) + len(released)

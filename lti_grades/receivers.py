"""Receivers that queue score passbacks: after each mark, and when an attempt is finished."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from exams.models import Attempt, Submission
from exams.signals import submission_marked
from lti_grades import selectors

logger = logging.getLogger(__name__)


def _enqueue_refresh(attempt_id: int) -> None:
    """Queue the task that recomputes and sends the attempt's scores (after commit)."""
    from lti_grades.tasks import refresh_attempt_passbacks

    def send() -> None:
        try:
            refresh_attempt_passbacks.delay(attempt_id)
        except Exception:
            logger.exception("Could not queue the score passback of attempt %s", attempt_id)

    transaction.on_commit(send)


def on_submission_marked(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    """A mark was stored: queue the passback when the attempt came from an LTI link with a
    line item. Only a database read here; the network is the task's."""
    if selectors.attempt_has_line_items(attempt=submission.attempt):
        _enqueue_refresh(submission.attempt_id)


def on_attempt_saved(
    sender: Any, *, instance: Attempt, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """An attempt was finished: its activity is now Completed, so the gradebook is told."""
    finished = bool(update_fields) and "finished_at" in update_fields
    if (
        finished
        and instance.finished_at is not None
        and selectors.attempt_has_line_items(attempt=instance)
    ):
        _enqueue_refresh(instance.pk)


def connect() -> None:
    """Connect the receivers (from the app's `ready()`)."""
    submission_marked.connect(on_submission_marked, dispatch_uid="lti_grades.submission_marked")
    post_save.connect(on_attempt_saved, sender=Attempt, dispatch_uid="lti_grades.attempt_saved")

"""Follow-ups of marking: a webhook delivery per active endpoint of the course."""

from __future__ import annotations

from typing import Any

from exams.models import Submission
from webhooks import services


def submission_marked_deliveries(sender: type, submission: Submission, **kwargs: Any) -> None:
    """Receiver of `exams.signals.submission_marked`: store the deliveries; each is sent by its
    own task after commit (no network I/O here)."""
    services.deliveries_create_for_marking(submission=submission)

"""Signals other apps listen to: follow-ups of marking (webhooks, LTI grade passback)."""

from __future__ import annotations

import logging

from django.dispatch import Signal

from exams.models import Submission

logger = logging.getLogger(__name__)

# Sent once a submission's mark is stored (status `graded`), after the write has committed.
# Keyword argument: `submission` (the graded Submission row). Receivers only enqueue their own
# retrying tasks; they must not do network I/O in the marking worker.
submission_marked = Signal()


def submission_marked_send(*, submission: Submission) -> None:
    """Tell every receiver that `submission` was marked; a failing receiver never undoes it.

    A receiver that raises is logged with its traceback and the others still run: the mark
    stays stored and the student still sees it.
    """
    for receiver, outcome in submission_marked.send_robust(
        sender=Submission, submission=submission
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "Submission %s: follow-up %r failed after marking",
                submission.pk,
                receiver,
                exc_info=(type(outcome), outcome, outcome.__traceback__),
            )

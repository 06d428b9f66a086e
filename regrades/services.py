"""Regrade jobs: create one for a question or a paper, and run it (resumably) in a worker.

A job marks its submissions through the grading service (`exams.services.submissions`): each
item's submission is put back to `pending` by `submissions_regrade` (moving to the question's
fixed version when its numbers are the same), then claimed and marked by `submission_grade`,
whose lease makes the mark happen once however many workers try. The mark fires the usual
follow-ups (`submission_marked`: LTI passback, webhooks). A failure of ours is never a mark:
the submission keeps its previous score, waits in `error` for the grading lifecycle's retry,
and the item counts as failed.

Resuming: the job is held by one worker at a time (a lease renewed item by item); when a
worker dies its lease expires and `regrade_jobs_resume` (beat) or the redelivered task picks
the job up again: items already finished are skipped, an item whose submission is still being
marked by a dead worker is taken over once the submission's own lease expires.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from exams import selectors as exam_selectors
from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Course, Paper, Question, Submission
from regrades.models import RegradeItem, RegradeJob

logger = logging.getLogger(__name__)

#: Submission states a regrade takes: marked, or failed to be marked (a fix may cure it).
REGRADABLE = (Submission.Status.GRADED, Submission.Status.ERROR)
FINAL = (Submission.Status.GRADED, Submission.Status.ERROR)


def regrade_job_send(*, job_id: int, countdown_s: float = 0.0) -> None:
    """Send the job's task; a broker failure is logged and `regrade_jobs_resume` sends it."""
    from regrades.tasks import run_regrade_job

    try:
        run_regrade_job.apply_async((job_id,), countdown=countdown_s or None)
    except Exception:
        logger.exception("Could not enqueue regrade job %s; the resume sweep will", job_id)


def regrade_job_create(
    *,
    course: Course,
    requested_by: AbstractBaseUser | None,
    question: Question | None = None,
    paper: Paper | None = None,
) -> RegradeJob:
    """Create a job for every marked (or failed) submission of `question` or `paper` in the
    course, recording each one's current mark, and send it to a worker after commit.

    Submissions still waiting to be marked are left out (their mark is coming). Raises
    ApplicationError (400, `invalid_regrade`) unless exactly one of question/paper is given,
    and (409, `nothing_to_regrade`) when there is no marked submission to regrade.
    """
    if (question is None) == (paper is None):
        raise ApplicationError(
            "Choose either a question or a paper to regrade, not both or neither.",
            code="invalid_regrade",
        )
    submissions = exam_selectors.course_submission_list(
        course=course, question=question, paper=paper
    ).filter(status__in=REGRADABLE)
    rows = list(submissions.order_by("pk").values("pk", "status", "score", "feedback"))
    if not rows:
        raise ApplicationError(
            "No marked submission of this "
            f"{'paper' if paper else 'question'} in this course yet, so there is nothing to "
            "regrade.",
            code="nothing_to_regrade",
            status=409,
        )
    now = timezone.now()
    with transaction.atomic():
        job = RegradeJob.objects.create(
            course=course,
            question=question,
            paper=paper,
            requested_by=requested_by,
            total=len(rows),
            heartbeat_at=now,
        )
        RegradeItem.objects.bulk_create(
            RegradeItem(
                job=job,
                submission_id=row["pk"],
                old_status=row["status"],
                old_score=row["score"],
                old_feedback=row["feedback"] or {},
            )
            for row in rows
        )
        transaction.on_commit(lambda: regrade_job_send(job_id=job.pk))
    return job


def regrade_job_claim(*, job_id: int, worker: str, now: datetime | None = None) -> bool:
    """Take the job for `worker` (a conditional update: only an unfinished job with no live
    lease); True if this call won it. The lease lasts REGRADE_JOB_LEASE_S."""
    now = now or timezone.now()
    claimed = (
        RegradeJob.objects.filter(pk=job_id)
        .exclude(status=RegradeJob.Status.DONE)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(
            status=RegradeJob.Status.RUNNING,
            lease_owner=worker,
            lease_expires_at=now + timedelta(seconds=settings.REGRADE_JOB_LEASE_S),
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
        )
    )
    return claimed == 1


def _renew(job_id: int, worker: str) -> bool:
    """Extend `worker`'s lease of the job; False when it no longer holds it."""
    now = timezone.now()
    return bool(
        RegradeJob.objects.filter(pk=job_id, lease_owner=worker).update(
            lease_expires_at=now + timedelta(seconds=settings.REGRADE_JOB_LEASE_S),
            heartbeat_at=now,
        )
    )


def _part_scores(feedback: Any) -> dict[str, Any]:
    """{part label: score} of a stored feedback dict (what 'changed' compares)."""
    if not isinstance(feedback, dict):
        return {}
    return {
        label: part.get("score") if isinstance(part, dict) else None
        for label, part in feedback.items()
    }


def _item_finish(item: RegradeItem, submission: Submission) -> bool:
    """Record the submission's outcome on the item and count it on the job, exactly once
    (a conditional update); True if this call recorded it."""
    changed = submission.status == Submission.Status.GRADED and (
        item.old_status != Submission.Status.GRADED
        or submission.score != item.old_score
        or _part_scores(submission.feedback) != _part_scores(item.old_feedback)
    )
    failed = submission.status != Submission.Status.GRADED
    with transaction.atomic():
        won = RegradeItem.objects.filter(pk=item.pk, finished_at__isnull=True).update(
            new_status=submission.status,
            new_score=submission.score,
            new_feedback=submission.feedback or {},
            changed=changed,
            finished_at=timezone.now(),
        )
        if won:
            RegradeJob.objects.filter(pk=item.job_id).update(
                done=F("done") + 1,
                failed=F("failed") + int(failed),
                changed=F("changed") + int(changed),
            )
    return bool(won)


def _item_process(item: RegradeItem, worker: str) -> bool:
    """Advance one item as far as it can go now; True once it is finished.

    An item not started yet puts its submission back to `pending` (through
    `submissions_regrade`, without sending it to the grading queue). A `pending` submission
    due now, or one whose grading lease expired, is then claimed and marked here. A
    submission being marked by a live worker, or waiting for a retry after a failure of ours,
    is left for a later pass, and so is an item whose fixed variant cannot be built now.
    """
    if item.started_at is None:
        try:
            with transaction.atomic():
                exam_services.submissions_regrade(
                    submissions=Submission.objects.filter(pk=item.submission_id), enqueue=False
                )
                RegradeItem.objects.filter(pk=item.pk, started_at__isnull=True).update(
                    started_at=timezone.now()
                )
        except ApplicationError as exc:
            # The fixed version's variant cannot be built now (the sandbox is down): our
            # failure; the submission is untouched and the item is tried again later.
            logger.warning("Regrade item %s waits: %s", item.pk, exc.message)
            return False
    submission = Submission.objects.get(pk=item.submission_id)
    now = timezone.now()
    due = (
        submission.status == Submission.Status.PENDING
        and (submission.enqueued_at is None or submission.enqueued_at <= now)
    ) or (
        submission.status == Submission.Status.GRADING
        and submission.lease_expires_at is not None
        and submission.lease_expires_at < now
    )
    if due:
        submission = exam_services.submission_grade(submission_id=submission.pk, worker=worker)
    if submission.status not in FINAL:
        return False
    _item_finish(item, submission)
    return True


DONE = "done"
MORE = "more"
BUSY = "busy"


def regrade_job_run(*, job_id: int, worker: str, max_items: int | None = None) -> str:
    """Work on the job as `worker`: claim it, advance its unfinished items in order, release.

    Returns `DONE` when every item is finished; `MORE` when items remain (some wait for a
    retry or another worker's mark, or `max_items` were processed): the caller runs it again
    later; `BUSY` when another worker holds the job (it carries on; nothing to do here).
    Raises `RegradeJob.DoesNotExist` for an unknown id.
    """
    job = RegradeJob.objects.get(pk=job_id)
    if job.status == RegradeJob.Status.DONE:
        return DONE
    if not regrade_job_claim(job_id=job_id, worker=worker):
        return BUSY
    unfinished = RegradeItem.objects.filter(job_id=job_id, finished_at__isnull=True)
    for item in unfinished[:max_items] if max_items is not None else unfinished:
        if not _renew(job_id, worker):
            logger.warning("Regrade job %s: lost the lease to another worker", job_id)
            return BUSY
        _item_process(item, worker)
    remaining = RegradeItem.objects.filter(job_id=job_id, finished_at__isnull=True).exists()
    now = timezone.now()
    held = RegradeJob.objects.filter(pk=job_id, lease_owner=worker)
    if remaining:
        held.update(lease_owner="", lease_expires_at=None, heartbeat_at=now)
        return MORE
    held.update(
        status=RegradeJob.Status.DONE,
        lease_owner="",
        lease_expires_at=None,
        heartbeat_at=now,
        finished_at=now,
    )
    return DONE


def regrade_jobs_resume(*, now: datetime | None = None) -> list[int]:
    """Send again the unfinished jobs nobody works on: no live lease and no activity for
    REGRADE_JOB_STALE_AFTER_S (their worker died, or their message was lost). Returns ids."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.REGRADE_JOB_STALE_AFTER_S)
    stale = (
        RegradeJob.objects.exclude(status=RegradeJob.Status.DONE)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before))
    )
    resumed = [
        job_id
        for job_id in list(stale.values_list("pk", flat=True))
        if stale.filter(pk=job_id).update(heartbeat_at=now)
    ]
    for job_id in resumed:
        regrade_job_send(job_id=job_id)
    return resumed

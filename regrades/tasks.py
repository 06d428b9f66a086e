"""Celery tasks of regrade jobs: run one (in slices, sending itself again), resume stale ones."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from exams.services import grading_worker_id
from regrades import services


@shared_task(bind=True)
def run_regrade_job(self, job_id: int) -> str:  # noqa: ANN001
    """Advance the job by up to REGRADE_JOB_SLICE_ITEMS items, then send itself again (after
    REGRADE_JOB_WAIT_S) while items remain. Returns the outcome of the slice (`done`, `more`,
    or `busy` when another worker holds the job)."""
    worker = grading_worker_id(self.request.id)
    outcome = services.regrade_job_run(
        job_id=job_id, worker=worker, max_items=settings.REGRADE_JOB_SLICE_ITEMS
    )
    if outcome == services.MORE:
        services.regrade_job_send(job_id=job_id, countdown_s=settings.REGRADE_JOB_WAIT_S)
    return outcome


@shared_task
def resume_regrade_jobs() -> int:
    """Beat: send again the regrade jobs whose worker died or whose message was lost."""
    return len(services.regrade_jobs_resume())

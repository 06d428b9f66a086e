"""Reads of regrade jobs: a course's jobs, one job's progress and the marks it changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from exams.errors import NotFoundError
from exams.models import Course, Membership, Part
from regrades.models import RegradeItem, RegradeJob


def course_regrade_job_list(*, course: Course) -> QuerySet[RegradeJob]:
    """The course's regrade jobs, newest first, with what each regrades and who asked."""
    return RegradeJob.objects.filter(course=course).select_related(
        "question", "paper", "requested_by"
    )


def course_regrade_job_get(*, course: Course, job_id: int) -> RegradeJob:
    """One of the course's jobs; raises NotFoundError (404) for another course's or none."""
    job = course_regrade_job_list(course=course).filter(pk=job_id).first()
    if job is None:
        raise NotFoundError(f"The course '{course.slug}' has no regrade job {job_id}.")
    return job


def regrade_job_progress(*, job: RegradeJob) -> dict[str, Any]:
    """The job's progress as the job page polls it: status, counts, percent (0-100), and
    `finished` (True once every item is done)."""
    percent = round(100 * job.done / job.total) if job.total else 100
    return {
        "id": job.pk,
        "status": job.status,
        "total": job.total,
        "done": job.done,
        "failed": job.failed,
        "changed": job.changed,
        "percent": percent,
        "finished": job.status == RegradeJob.Status.DONE,
    }


@dataclass(frozen=True)
class PartChange:
    """One part's mark before and after the regrade (None: no mark)."""

    display_label: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        """Whether this part's mark differs."""
        return self.before != self.after


@dataclass(frozen=True)
class MarkChange:
    """A submission whose mark the job changed."""

    student: str
    question: str
    before: Decimal | None
    after: Decimal | None
    out_of: Decimal
    parts: list[PartChange]


def _score(feedback: dict, label: str) -> Any:
    part = feedback.get(label) if isinstance(feedback, dict) else None
    return part.get("score") if isinstance(part, dict) else None


def regrade_job_changes(*, job: RegradeJob) -> list[MarkChange]:
    """The marks the job changed, by student then question, with each part's before → after
    (parts named as the paper prints them)."""
    items = (
        RegradeItem.objects.filter(job=job, changed=True)
        .select_related("submission__student", "submission__variant__version__question")
        .order_by("submission__student__username", "submission__pk")
    )
    changes = []
    for item in items:
        submission = item.submission
        version = submission.variant.version
        parts = Part.objects.filter(version=version).order_by("order")
        changes.append(
            MarkChange(
                student=submission.student.get_full_name() or submission.student.get_username(),
                question=version.question.title,
                before=item.old_score,
                after=item.new_score,
                out_of=submission.max_score,
                parts=[
                    PartChange(
                        display_label=part.display_label,
                        before=_score(item.old_feedback, part.label),
                        after=_score(item.new_feedback, part.label),
                    )
                    for part in parts
                ],
            )
        )
    return changes


def regrade_job_failures(*, job: RegradeJob) -> QuerySet[RegradeItem]:
    """The job's items that could not be marked (they keep their previous mark)."""
    return (
        RegradeItem.objects.filter(job=job, finished_at__isnull=False)
        .exclude(new_status="graded")
        .select_related("submission__student", "submission__variant__version__question")
    )


@dataclass(frozen=True)
class ExportIdentityGaps:
    """How many of a course's students a gradebook import could not match by identifier.

    `without_external_id`: no roster external id (Canvas's ID column is empty for them).
    `without_email_or_external_id`: neither an email address nor an external id (Moodle can
    match them only by Username).
    """

    students: int
    without_external_id: int
    without_email_or_external_id: int


def export_identity_gaps(*, course: Course) -> ExportIdentityGaps:
    """Count the course's students whose CSV rows lack the identifier a layout matches on."""
    students = Membership.objects.filter(course=course, role=Membership.Role.STUDENT)
    no_external_id = students.filter(external_id="")
    return ExportIdentityGaps(
        students=students.count(),
        without_external_id=no_external_id.count(),
        without_email_or_external_id=no_external_id.filter(user__email="").count(),
    )

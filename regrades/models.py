"""A regrade job: every marked submission of one question or one paper of a course, marked
again in the background after a fix, with its progress and the marks that changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from exams.models import Course, Paper, Question, Submission


class RegradeJob(models.Model):
    """One instructor's request to mark a question's or a paper's submissions again.

    `total` items, of which `done` are finished; of those, `failed` could not be marked (the
    submission keeps its previous mark and is retried by the grading lifecycle) and `changed`
    got a different mark. A job is processed by one worker at a time: the one holding its lease.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="regrade_jobs")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="regrade_jobs"
    )
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="regrade_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regrade_jobs",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time a worker worked on the job (or it was sent)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, paper__isnull=True)
                | Q(question__isnull=True, paper__isnull=False),
                name="regrade_job_is_question_or_paper",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="regrade_job_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"Regrade {self.pk} of {self.scope_title} ({self.status})"

    @property
    def scope_title(self) -> str:
        """What the job regrades, as the instructor chose it: 'question …' or 'paper …'."""
        if self.paper_id is not None:
            return f"paper “{self.paper.title}”"
        return f"question “{self.question.title}”"


class RegradeItem(models.Model):
    """One submission of a job: its mark before, and after once the item is finished.

    `started_at` is set when the submission was put back to be marked for this job,
    `finished_at` once its new outcome was recorded (exactly once, by a conditional update).
    """

    job = models.ForeignKey(RegradeJob, on_delete=models.CASCADE, related_name="items")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="regrade_items"
    )
    old_status = models.CharField(max_length=20)
    old_score = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    old_feedback = models.JSONField(default=dict, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    new_score = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    new_feedback = models.JSONField(default=dict, blank=True)
    changed = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "submission"], name="one_item_per_submission")
        ]

    def __str__(self) -> str:
        return f"{self.job} · submission {self.submission_id}"

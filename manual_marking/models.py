"""Marks given by hand to free-text parts, with their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from exams.models import Submission


class ManualMark(models.Model):
    """One mark given by a person to one part of a submission.

    Every mark ever given is kept; exactly one per (submission, part) is `current` — the one
    in the submission's score and feedback. An instructor's mark replaces a self-assessment.
    """

    class Source(models.TextChoices):
        INSTRUCTOR = "instructor", "Instructor"
        SELF = "self", "Self-assessment"

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="manual_marks"
    )
    part_label = models.CharField(max_length=30)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    comment = models.TextField(blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="manual_marks_given",
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "part_label", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "part_label"],
                condition=Q(current=True),
                name="one_current_manual_mark_per_part",
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="manual_mark_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} ({self.part_label}): {self.score} by {self.source}"

"""Saved answers of an attempt (one draft per question), and the record of a timed sitting
closed by the server at time up."""

from __future__ import annotations

from django.db import models

from exams.models import Attempt, Question


class AnswerDraft(models.Model):
    """The answers a student has typed for one question of an attempt, saved as they type.

    `answers` maps part labels to answer text (only parts typed so far); each save replaces
    the parts it names and increments `revision`. A draft is not a submission: it is marked
    only when the student finishes an exam or the timer closes it.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="drafts")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict, help_text="Answer text per part label.")
    saved_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_draft_per_attempt_question"
            )
        ]

    def __str__(self) -> str:
        return f"Draft of {self.attempt} / {self.question} (rev {self.revision})"


class SittingClosure(models.Model):
    """How a timed exam sitting was closed with its saved answers submitted: by the timer
    (at time up, by the server) or by the student ("Finish exam"). One per attempt, so the
    closing happens exactly once."""

    class By(models.TextChoices):
        TIMER = "timer", "the timer, at time up"
        STUDENT = "student", "the student"

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="closure")
    by = models.CharField(max_length=10, choices=By.choices)
    closed_at = models.DateTimeField(help_text="The deadline (timer) or when the student finished.")
    processed_at = models.DateTimeField(auto_now_add=True)
    submissions = models.JSONField(
        default=list, help_text="Ids of the submissions made from the saved answers."
    )

    def __str__(self) -> str:
        return f"{self.attempt} closed by {self.by} at {self.closed_at}"

"""Scores sent to LMS gradebooks over LTI Assignment and Grade Services, one row per line item
and LTI user."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from exams.models import Attempt, Course


class ScorePassback(models.Model):
    """The score of one LTI user in one LMS line item: what to send, what was last accepted.

    `payload` is the score to send now (AGS fields without `userId` and `timestamp`, which are
    added at each send), computed from `attempt` (the attempt last marked through that line
    item's resource link); `sent_payload` is the last body the platform accepted (with its
    timestamp). A score is sent only when `payload` differs from what was last accepted.
    """

    class Status(models.TextChoices):
        HELD = "held", "held until the student may see the results"
        PENDING = "pending", "waiting to be sent"
        SENDING = "sending", "being sent"
        SENT = "sent", "accepted by the platform"
        RETRYING = "retrying", "failed; retried automatically"
        FAILED = "failed", "failed; an instructor must resend it"

    line_item = models.ForeignKey(
        "lti_tool.LtiLineItem", on_delete=models.CASCADE, related_name="score_passbacks"
    )
    lti_user = models.ForeignKey(
        "lti_tool.LtiUser", on_delete=models.CASCADE, related_name="score_passbacks"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="score_passbacks")
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.SET_NULL, related_name="score_passbacks"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    payload = models.JSONField(default=dict, help_text="The score to send (without timestamp).")
    sent_payload = models.JSONField(
        null=True, blank=True, help_text="The last score body the platform accepted."
    )
    tries = models.PositiveIntegerField(default=0, help_text="Sends of the current payload.")
    error = models.TextField(blank=True, help_text="The platform's answer to the last failure.")
    error_status = models.PositiveIntegerField(
        null=True, blank=True, help_text="HTTP status of the last failure (none: no answer)."
    )
    next_try_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    last_timestamp = models.DateTimeField(
        null=True, blank=True, help_text="Timestamp of the last score sent (each is later)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "next_try_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["line_item", "lti_user"], name="one_passback_per_line_item_user"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="failed_passback_has_error"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(sending_until__isnull=False),
                name="sending_passback_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False, sent_payload__isnull=False),
                name="sent_passback_has_sent_payload",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lti_user} in {self.line_item} ({self.status})"

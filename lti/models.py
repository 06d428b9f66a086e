"""What an LTI resource link opens, which course an LTI context is, and launches of attempts.

Registrations, deployments, LTI users, contexts, resource links and line items are django-lti's
models (`lti_tool`); these tie them to Tensorgrade's courses, papers, questions and attempts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from exams.models import Attempt, Course, Paper, Question


class LtiContextCourse(models.Model):
    """The Tensorgrade course an LTI context (a course in the LMS) launches into.

    Created on the context's first launch; an administrator may point it at another course.
    """

    context = models.OneToOneField(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="tensorgrade_course"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_contexts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LTI context's course"
        verbose_name_plural = "LTI contexts' courses"

    def __str__(self) -> str:
        return f"{self.context} → {self.course}"


class LtiTarget(models.Model):
    """What a resource link opens: a paper (practice or exam) or a single question."""

    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="tensorgrade_target"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_targets")
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="lti_targets"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="lti_targets"
    )
    mode = models.CharField(
        max_length=20, choices=Attempt.Mode.choices, default=Attempt.Mode.PRACTICE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "LTI link target"
        verbose_name_plural = "LTI link targets"
        constraints = [
            models.CheckConstraint(
                condition=Q(paper__isnull=False, question__isnull=True)
                | Q(paper__isnull=True, question__isnull=False, mode="practice"),
                name="lti_target_is_paper_or_practice_question",
            ),
        ]

    def __str__(self) -> str:
        target = self.paper or self.question
        return f"{self.resource_link} → {target} ({self.mode})"


class LtiAttemptLaunch(models.Model):
    """One attempt started or resumed from a launch of a resource link by an LTI user."""

    resource_link = models.ForeignKey(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="attempt_launches"
    )
    lti_user = models.ForeignKey(
        "lti_tool.LtiUser", on_delete=models.CASCADE, related_name="attempt_launches"
    )
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="lti_launches")
    first_launched_at = models.DateTimeField(auto_now_add=True)
    last_launched_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "LTI attempt launch"
        verbose_name_plural = "LTI attempt launches"
        constraints = [
            models.UniqueConstraint(
                fields=["resource_link", "lti_user", "attempt"], name="one_row_per_attempt_launch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lti_user} via {self.resource_link} → attempt {self.attempt_id}"


class LtiUsedNonce(models.Model):
    """A launch's id_token nonce, kept until the token expires so it is accepted only once."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "LTI used nonce"
        verbose_name_plural = "LTI used nonces"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_used_once")
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.issuer} {self.nonce}"

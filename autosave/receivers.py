"""When a timed exam sitting starts, schedule its closing at the deadline plus grace; when an
answer is submitted, the parts it changed become the draft's typed state."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from autosave.services import draft_follow_submission, sitting_schedule_close
from exams.models import Attempt, Submission


@receiver(post_save, sender=Attempt, dispatch_uid="autosave_schedule_sitting_close")
def schedule_sitting_close(
    sender: type[Attempt], instance: Attempt, created: bool, **_: Any
) -> None:
    """A new timed exam sitting gets its closing task (the beat sweep is the safety net)."""
    if created and instance.mode == Attempt.Mode.EXAM:
        sitting_schedule_close(attempt=instance)


@receiver(post_save, sender=Submission, dispatch_uid="autosave_draft_follows_submission")
def draft_follows_submission(
    sender: type[Submission], instance: Submission, created: bool, **_: Any
) -> None:
    """A new submission's changed parts replace those parts of the question's draft, so the
    page never shows an older typed answer over a newer submitted one."""
    if created:
        draft_follow_submission(submission=instance)

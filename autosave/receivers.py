"""When a timed exam sitting starts, schedule its closing at the deadline plus grace."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from autosave.services import sitting_schedule_close
from exams.models import Attempt


@receiver(post_save, sender=Attempt, dispatch_uid="autosave_schedule_sitting_close")
def schedule_sitting_close(
    sender: type[Attempt], instance: Attempt, created: bool, **_: Any
) -> None:
    """A new timed exam sitting gets its closing task (the beat sweep is the safety net)."""
    if created and instance.mode == Attempt.Mode.EXAM:
        sitting_schedule_close(attempt=instance)

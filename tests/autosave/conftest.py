"""Fixtures of the autosave tests: an exam sitting of a timed paper and its variant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services
from exams.models import Attempt


@pytest.fixture
def sitting(make_paper, student):
    """The student's exam sitting of a 30-minute paper holding the demo question."""
    paper = make_paper("Timed exam", minutes=30)
    return services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.EXAM)


@pytest.fixture
def exact(sitting, demo_question):
    """The sitting's exact reference values (y, loss) of the demo question."""
    return services.attempt_variant(attempt=sitting, question=demo_question).reference["exact"]


@pytest.fixture
def age():
    """`age(attempt, seconds)`: move the attempt's start back so its deadline passed
    `seconds` ago (negative: is still that far ahead)."""

    def move(attempt: Attempt, seconds: float) -> Attempt:
        minutes = attempt.paper.time_limit_minutes
        started = timezone.now() - timedelta(minutes=minutes, seconds=seconds)
        Attempt.objects.filter(pk=attempt.pk).update(started_at=started)
        attempt.refresh_from_db()
        return attempt

    return move

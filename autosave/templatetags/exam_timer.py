"""Template tags of the attempt page: the exam clock with autosave, and "Finish exam"."""

from __future__ import annotations

from django import template

from autosave import selectors
from autosave.forms import SittingFinishForm
from exams.models import Attempt

register = template.Library()


@register.inclusion_tag("frontend/attempt/exam_clock.html")
def exam_clock(attempt: Attempt) -> dict:
    """The countdown of a timed sitting (or its closing message) and the autosave status,
    for any attempt (practice attempts are autosaved too, without a clock)."""
    return {"attempt": attempt, "clock": selectors.sitting_clock(attempt=attempt)}


@register.inclusion_tag("frontend/attempt/exam_finish.html", takes_context=True)
def exam_finish(context: template.Context, attempt: Attempt) -> dict:
    """The "Finish exam" button (a link to the confirmation step) and its dialog."""
    return {
        "attempt": attempt,
        "csrf_token": context.get("csrf_token"),
        "form": SittingFinishForm(),
        "summary": selectors.sitting_finish_summary(attempt=attempt),
    }

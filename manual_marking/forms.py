"""Forms of manual marking: an instructor's mark with a comment, a student's self-assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings


def _score_field(*, marks: Decimal) -> forms.DecimalField:
    step = Decimal(settings.MANUAL_MARKING_SCORE_STEP)
    return forms.DecimalField(
        label=f"Mark (0 to {marks.normalize()})",
        min_value=Decimal(0),
        max_value=marks,
        step_size=step,
        decimal_places=2,
        help_text=f"In steps of {step.normalize()}.",
        error_messages={
            "required": "Enter a mark.",
            "max_value": f"The part is worth {marks.normalize()} marks; enter at most that.",
            "min_value": "A mark cannot be negative; enter 0 or more.",
            "step_size": f"Give the mark in steps of {step.normalize()}, e.g. 1.5.",
        },
    )


class ManualMarkForm(forms.Form):
    """An instructor's mark for one free-text part (0 to the part's marks) and a comment.

    `expected_mark` carries the id of the mark shown when the page was loaded (empty if none),
    so a mark given meanwhile by someone else is never silently overwritten.
    """

    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to the student with the mark.",
    )
    expected_mark = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, marks: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"score": _score_field(marks=marks), **self.fields}


class SelfAssessmentForm(forms.Form):
    """A student's mark for their own free-text answer (0 to the part's marks)."""

    submission = forms.IntegerField(widget=forms.HiddenInput)
    part = forms.CharField(max_length=30, widget=forms.HiddenInput)

    def __init__(self, *args: Any, marks: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"] = _score_field(marks=marks)
        self.fields["score"].label = f"Your mark (0 to {marks.normalize()})"

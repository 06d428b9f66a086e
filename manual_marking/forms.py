"""Forms of manual marking: an instructor's mark with a comment, a student's self-assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

#: Marks are stored as 4 digits and 2 decimals (ManualMark.score): anything this large or more
#: is refused before the step check (which works in floats and fails on 1e400).
SCORE_LIMIT = Decimal(10) ** 4


class ScoreField(forms.DecimalField):
    """A mark: a finite decimal within SCORE_LIMIT, checked before the min/max/step validators
    run (so 1e400 or 1e999999 is a form error, never a crash); -0 is read as 0."""

    def validate(self, value: Decimal | None) -> None:
        """Raises ValidationError (code max_value/min_value) for |value| >= SCORE_LIMIT, after
        Django's checks (required, finite)."""
        super().validate(value)
        if value is not None and abs(value) >= SCORE_LIMIT:
            code = "max_value" if value > 0 else "min_value"
            limit = self.max_value if value > 0 else self.min_value
            raise ValidationError(
                self.error_messages[code], code=code, params={"limit_value": limit}
            )

    def clean(self, value: object) -> Decimal | None:
        """The mark as a Decimal (None when empty), negative zero as 0."""
        cleaned = super().clean(value)
        return cleaned + 0 if cleaned is not None else None


def _score_field(*, marks: Decimal) -> ScoreField:
    step = Decimal(settings.MANUAL_MARKING_SCORE_STEP)
    return ScoreField(
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

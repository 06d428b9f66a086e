"""The confirmation step of "Finish exam" (works without JavaScript)."""

from __future__ import annotations

from django import forms


class SittingFinishForm(forms.Form):
    """The student confirms finishing: their saved answers are submitted and the sitting
    closes (it cannot be reopened)."""

    confirm = forms.BooleanField(
        required=True,
        initial=True,
        widget=forms.HiddenInput,
        error_messages={
            "required": 'Confirm with the "Finish and submit" button, or go back to the exam.'
        },
    )

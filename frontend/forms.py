"""HTML forms of the web UI (validation only; the work is done by exams' services)."""

from __future__ import annotations

from django import forms


class SolutionRevealForm(forms.Form):
    """A student's request to see the worked solution of one question of an attempt."""

    question = forms.SlugField(widget=forms.HiddenInput)


class VariantRetireForm(forms.Form):
    """The confirmation step before an instructor withdraws a variant."""

    confirm = forms.BooleanField(
        required=True,
        label=(
            "Retire it: new attempts will never draw it; students who answered it keep it, with "
            "a notice, and can start a new attempt for fresh numbers."
        ),
        error_messages={"required": "Tick the box to confirm, or go back to keep the variant."},
    )

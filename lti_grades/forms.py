"""HTML forms of the instructor's LTI page (validation only; services do the work)."""

from __future__ import annotations

from django import forms


class PassbackResendForm(forms.Form):
    """Send a failed score to the LMS again."""

    passback = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RosterSyncForm(forms.Form):
    """Fetch the LMS roster (NRPS) and update the course's memberships."""

    confirm = forms.BooleanField(
        required=True,
        label=(
            "Sync now: add the LMS's students and instructors, update their roles, and remove "
            "from this course those who came from the LMS and are no longer listed (their "
            "attempts and marks are kept)."
        ),
        error_messages={"required": "Tick the box to confirm the sync."},
    )

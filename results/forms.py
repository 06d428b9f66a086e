"""The results pages' filter: a period (from/to dates) and one student, sent by GET."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from results.selectors import ResultsFilter

EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)


class ResultsFilterForm(forms.Form):
    """GET fields `from` and `to` (YYYY-MM-DD, inclusive, both optional) and `student` (a
    username among `students`, optional). An unreadable date, `to` before `from` or an unknown
    student are errors shown next to the field."""

    def __init__(
        self,
        data: dict[str, Any] | None,
        *,
        students: QuerySet[AbstractBaseUser] | None = None,
        with_student: bool = True,
    ) -> None:
        super().__init__(data)
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            required=False,
            label="From",
            widget=date_widget,
            help_text="Submitted on or after this day.",
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-03-01."},
        )
        self.fields["to"] = forms.DateField(
            required=False,
            label="To",
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            help_text="Submitted on or before this day.",
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."},
        )
        if with_student and students is not None:
            self.fields["student"] = forms.ModelChoiceField(
                queryset=students,
                required=False,
                to_field_name="username",
                label="Student",
                empty_label="All students",
                error_messages={
                    "invalid_choice": "No such student in this course; pick one from the list."
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name, f"Enter a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
                )
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", "The end date is before the start date; swap or change them.")
        return cleaned

    def results_filter(self) -> ResultsFilter:
        """The filter the valid form asks for (call after `is_valid()` returned True)."""
        return ResultsFilter(
            date_from=self.cleaned_data.get("from"),
            date_to=self.cleaned_data.get("to"),
            student=self.cleaned_data.get("student"),
        )

"""Instructor forms of regrades and exports (validation; the work is in services/exports)."""

from __future__ import annotations

from typing import Any

from django import forms

from exams.models import Course, Paper, Question
from regrades.exports import LAYOUTS


class _ScopeForm(forms.Form):
    """Choose one of the course's questions or one of its papers."""

    question = forms.ModelChoiceField(
        queryset=Question.objects.none(), required=False, empty_label="—"
    )
    paper = forms.ModelChoiceField(queryset=Paper.objects.none(), required=False, empty_label="—")

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = (
            (
                Question.objects.filter(courses=course)
                | Question.objects.filter(papers__course=course)
            )
            .distinct()
            .order_by("title")
        )
        self.fields["paper"].queryset = course.papers.order_by("title")
        self.fields["question"].label_from_instance = lambda question: question.title
        self.fields["paper"].label_from_instance = lambda paper: paper.title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("question")) == bool(cleaned.get("paper")):
            message = "Choose either a question or a paper (one of the two)."
            self.add_error("question", message)
            self.add_error("paper", message)
        return cleaned


class RegradeStartForm(_ScopeForm):
    """Start a regrade of every marked submission of a question or a paper."""

    question = forms.ModelChoiceField(
        queryset=Question.objects.none(),
        required=False,
        empty_label="—",
        help_text="Every marked submission of this question, in any attempt of the course.",
    )
    paper = forms.ModelChoiceField(
        queryset=Paper.objects.none(),
        required=False,
        empty_label="—",
        help_text="Every marked submission made in attempts at this paper.",
    )


class MarksExportForm(_ScopeForm):
    """Download a paper's or a question's marks in an LMS's gradebook import layout."""

    layout = forms.ChoiceField(
        choices=[(layout.key, layout.name) for layout in LAYOUTS.values()],
        initial="canvas",
        widget=forms.RadioSelect,
        label="Layout",
    )

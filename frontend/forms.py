"""HTML forms of the web UI (validation only; the work is done by exams' services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from exams.models import Question
from exams.services.papers import MAX_MARKS, MAX_TIME_LIMIT_MINUTES, MAX_TITLE_CHARS


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


class PaperForm(forms.Form):
    """Assemble a paper: title, time limit, original numbers, and for each of the course's
    questions an order number (empty: not on the paper) and its marks on the paper.

    The per-question fields are named `order_<slug>` and `marks_<slug>`; `items()` gives the
    chosen (question, marks) pairs in order once the form is valid.
    """

    title = forms.CharField(
        max_length=MAX_TITLE_CHARS,
        error_messages={
            "required": "Give the paper a title.",
            "max_length": f"A paper title has at most {MAX_TITLE_CHARS} characters.",
        },
    )
    time_limit_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_TIME_LIMIT_MINUTES,
        label="Time limit (minutes, empty for none)",
        error_messages={
            "invalid": "The time limit must be a whole number of minutes.",
            "min_value": f"A time limit is from 1 to {MAX_TIME_LIMIT_MINUTES} minutes.",
            "max_value": f"A time limit is from 1 to {MAX_TIME_LIMIT_MINUTES} minutes.",
        },
    )
    use_original_numbers = forms.BooleanField(
        required=False, label="Every student gets the original exam's numbers"
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        marks_errors = {
            "invalid": "Give positive marks as a number, e.g. 2 or 2.5.",
            "min_value": f"Give positive marks below {MAX_MARKS} (e.g. 2 or 2.5).",
            "max_value": f"Give positive marks below {MAX_MARKS} (e.g. 2 or 2.5).",
            "max_decimal_places": "Give positive marks with at most two decimals.",
            "max_digits": f"Give positive marks below {MAX_MARKS} (e.g. 2 or 2.5).",
        }
        for question in questions:
            self.fields[f"order_{question.slug}"] = forms.IntegerField(
                required=False,
                min_value=1,
                label=f"Order of “{question.title}”",
                widget=forms.NumberInput(
                    attrs={"class": "narrow", "aria-label": f"Order of “{question.title}”"}
                ),
                error_messages={
                    "invalid": "The order must be a whole number (1 = first), or empty.",
                    "min_value": "The order starts at 1 (1 = first), or leave it empty.",
                },
            )
            version = question.current_version
            self.fields[f"marks_{question.slug}"] = forms.DecimalField(
                required=False,
                min_value=Decimal("0.01"),
                max_value=MAX_MARKS - Decimal("0.01"),
                max_digits=6,
                decimal_places=2,
                initial=version.max_score if version else None,
                label=f"Marks of “{question.title}”",
                widget=forms.NumberInput(
                    attrs={
                        "class": "narrow",
                        "step": "0.5",
                        "aria-label": f"Marks of “{question.title}” on the paper",
                    }
                ),
                error_messages=marks_errors,
            )

    def question_rows(self) -> list[tuple[Question, forms.BoundField, forms.BoundField]]:
        """(question, its order field, its marks field) for the template's table."""
        return [(q, self[f"order_{q.slug}"], self[f"marks_{q.slug}"]) for q in self.questions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = 0
        by_order: dict[int, list[Question]] = {}
        for question in self.questions:
            order = cleaned.get(f"order_{question.slug}")
            marks_field = f"marks_{question.slug}"
            if order is None:
                continue
            chosen += 1
            by_order.setdefault(order, []).append(question)
            if cleaned.get(marks_field) is None and marks_field not in self.errors:
                self.add_error(marks_field, "Give the marks this question is worth on the paper.")
        for order, sharing in by_order.items():
            if len(sharing) < 2:
                continue
            for question in sharing:
                others = "; ".join(f"“{q.title}”" for q in sharing if q is not question)
                self.add_error(
                    f"order_{question.slug}",
                    f"Order {order} is also given to {others}: give each question its own "
                    "order number.",
                )
        if not chosen and not any(name.startswith("order_") for name in self.errors):
            raise forms.ValidationError(
                "Choose at least one question: give it an order number (1 = first)."
            )
        return cleaned

    def items(self) -> list[tuple[Question, Decimal]]:
        """The chosen (question, marks) pairs, by order number (then by title)."""
        chosen = [
            (self.cleaned_data[f"order_{q.slug}"], q, self.cleaned_data[f"marks_{q.slug}"])
            for q in self.questions
            if self.cleaned_data.get(f"order_{q.slug}") is not None
        ]
        return [(q, marks) for _, q, marks in sorted(chosen, key=lambda c: (c[0], c[1].title))]

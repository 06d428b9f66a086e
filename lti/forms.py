"""The instructor's choice of what a link opens (resource link form and deep linking)."""

from __future__ import annotations

from django import forms

from exams import selectors as exam_selectors
from exams.models import Attempt, Course


class TargetChoiceForm(forms.Form):
    """One of the course's papers (to practise or to sit as an exam) or questions."""

    target = forms.ChoiceField(label="Open", widget=forms.RadioSelect)

    def __init__(self, *args: object, course: Course, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        papers = [
            (f"paper:{paper.slug}:{mode}", f"{paper.title} — {label}")
            for paper in exam_selectors.course_paper_list(course=course)
            for mode, label in (
                (Attempt.Mode.PRACTICE, "practice"),
                (Attempt.Mode.EXAM, "exam (one sitting per student)"),
            )
        ]
        questions = [
            (f"question:{question.slug}:practice", f"{question.title} — practice")
            for question in exam_selectors.course_question_list(course=course)
        ]
        self.fields["target"].choices = [("Papers", papers), ("Single questions", questions)]

    def choice(self) -> dict[str, str]:
        """The cleaned choice as lti_target_set keywords (paper_slug/question_slug, mode)."""
        kind, slug, mode = self.cleaned_data["target"].split(":", 2)
        return {f"{kind}_slug": slug, "mode": mode}

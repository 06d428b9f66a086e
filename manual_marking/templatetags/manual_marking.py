"""`{% self_assessment attempt item part %}`: the self-assessment box of one part on the
attempt page (empty unless the student may self-assess it now)."""

from __future__ import annotations

from typing import Any

from django import template

import question_engine
from exams.models import Attempt, Submission
from manual_marking import selectors
from manual_marking.forms import SelfAssessmentForm

register = template.Library()


@register.inclusion_tag("manual_marking/self_assessment.html", takes_context=True)
def self_assessment(
    context: template.Context, attempt: Attempt, item: dict[str, Any], part: dict[str, Any]
) -> dict[str, Any]:
    """The context of the box: `allowed` False (nothing shown) unless `selectors.
    self_assessment_refusal` allows the student to assess part `part` (a `variant_public`
    part) of their latest answer `item["latest"]` (a `submission_public` dict or None)."""
    latest = item.get("latest")
    if (
        part.get("kind") != "text"
        or latest is None
        or attempt.mode != Attempt.Mode.PRACTICE
        or item.get("state", {}).get("solution_status") != "shown"
    ):
        return {"allowed": False}
    submission = (
        Submission.objects.filter(pk=latest["id"], attempt=attempt)
        .select_related("attempt", "variant__version__question")
        .first()
    )
    request = context.get("request")
    if submission is None or request is None:
        return {"allowed": False}
    if selectors.self_assessment_refusal(
        submission=submission, part_label=part["label"], student=request.user
    ):
        return {"allowed": False}
    definition = submission.variant.version.parts.get(label=part["label"])
    current = selectors.current_mark(submission=submission, part_label=part["label"])
    form = SelfAssessmentForm(
        marks=definition.marks,
        initial={
            "submission": submission.pk,
            "part": part["label"],
            "score": current.score if current else None,
        },
        auto_id=f"id_self_{submission.pk}_{part['label']}_%s",
    )
    return {
        "allowed": True,
        "attempt": attempt,
        "part": part,
        "form": form,
        "current": current,
        "answer": (submission.answers or {}).get(part["label"], ""),
        "model_answer_html": question_engine.render_markdown(definition.model_answer),
        "rubric_html": question_engine.render_markdown(definition.rubric),
        "csrf_token": context.get("csrf_token"),
    }

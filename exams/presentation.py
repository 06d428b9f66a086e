"""What a student may see of a variant and a submission, as plain dicts."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

import question_engine
from exams.bank_bridge import definition_from_version
from exams.models import Attempt, Submission, Variant
from question_engine.code_parts import code_part


def _code_starters(variant: Variant) -> dict[str, str]:
    """The starter code of each code part, rendered with the variant's numbers."""
    parts = variant.version.parts.filter(kind="code")
    if not parts:
        return {}
    definition = definition_from_version(variant.version)
    return {part.label: code_part(definition, part.label).starter(variant.params) for part in parts}


def variant_public(variant: Variant) -> dict[str, Any]:
    """Statement and parts of a variant; never its parameters' answers or references."""
    prompts = variant.part_prompts or {}
    starters = _code_starters(variant)
    return {
        "question": variant.version.question.slug,
        "title": variant.version.question.title,
        "version": variant.version.number,
        "statement_md": variant.statement_md,
        "statement_html": question_engine.render_markdown(variant.statement_md),
        "parts": [
            {
                "label": part.label,
                "kind": part.kind,
                "marks": float(part.marks),
                "prompt_md": prompts.get(part.label, ""),
                "prompt_html": question_engine.render_markdown(prompts.get(part.label, "")),
                **({"starter": starters[part.label]} if part.label in starters else {}),
            }
            for part in variant.version.parts.all()
        ],
    }


def results_visible(submission: Submission) -> bool:
    """Practice shows marks at once; an exam shows them only once the attempt has closed."""
    attempt = submission.attempt
    return attempt.mode == Attempt.Mode.PRACTICE or attempt.is_closed(timezone.now())


def submission_public(submission: Submission) -> dict[str, Any]:
    visible = results_visible(submission)
    show = visible and submission.status == Submission.Status.GRADED
    data: dict[str, Any] = {
        "id": submission.pk,
        "attempt": submission.attempt_id,
        "question": submission.variant.version.question.slug,
        "status": submission.status,
        "results_visible": visible,
        "score": float(submission.score) if show else None,
        "max_score": float(submission.max_score),
        "answers": submission.answers,
        "feedback": submission.feedback if show else {},
        "error_message": submission.error_message,
        "created_at": submission.created_at.isoformat(),
        "graded_at": submission.graded_at.isoformat() if submission.graded_at else None,
    }
    if show:
        data["solution_html"] = question_engine.render_markdown(submission.variant.solution_md)
        data["model_answers"] = {
            part.label: part.model_answer
            for part in submission.variant.version.parts.all()
            if part.model_answer
        }
    return data

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


STUDENT_FAILURE_MESSAGES = {
    Submission.Failure.INFRASTRUCTURE: (
        "We could not mark this yet: the marking service is having trouble, not your answers. "
        "It will be marked automatically when the service recovers; your answers are saved "
        "and this costs you no attempt."
    ),
    Submission.Failure.QUESTION: (
        "We could not mark this because of a fault in the question itself, not in your "
        "answers. Your instructor has been told and will re-mark it once the question is "
        "fixed; your answers are saved and this costs you no attempt."
    ),
}


def awaiting_marking(submission: Submission) -> bool:
    """Still to be marked without anyone acting: queued, being marked, or our failure."""
    return submission.status in (Submission.Status.PENDING, Submission.Status.GRADING) or (
        submission.status == Submission.Status.ERROR
        and submission.failure == Submission.Failure.INFRASTRUCTURE
    )


def submission_public(submission: Submission) -> dict[str, Any]:
    """What the student (or an API client) sees of a submission.

    `error_message` is the student-facing message for the failure kind (the internal detail
    is for instructors only); `awaiting_marking` says whether the mark will still come by
    itself, so a client keeps polling.
    """
    visible = results_visible(submission)
    show = visible and submission.status == Submission.Status.GRADED
    failed = submission.status == Submission.Status.ERROR
    data: dict[str, Any] = {
        "id": submission.pk,
        "attempt": submission.attempt_id,
        "question": submission.variant.version.question.slug,
        "status": submission.status,
        "failure": submission.failure or None,
        "awaiting_marking": awaiting_marking(submission),
        "results_visible": visible,
        "score": float(submission.score) if show else None,
        "max_score": float(submission.max_score),
        "answers": submission.answers,
        "feedback": submission.feedback if show else {},
        "error_message": STUDENT_FAILURE_MESSAGES.get(submission.failure, "") if failed else "",
        "next_retry_at": submission.next_retry_at.isoformat()
        if failed and submission.next_retry_at
        else None,
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

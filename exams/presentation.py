"""What a student may see of a variant and a submission, as plain dicts."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import timezone

import question_engine
from exams import selectors
from exams.bank_bridge import definition_from_version
from exams.models import Attempt, Submission, Variant
from exams.services.variants import VARIANT_FAILED_MESSAGE, VARIANT_PREPARING_MESSAGE
from question_engine.code_parts import code_part, prompt_without_starter


def _code_starters(variant: Variant) -> dict[str, str]:
    """The starter code of each code part, rendered with the variant's numbers."""
    parts = variant.version.parts.filter(kind="code")
    if not parts:
        return {}
    definition = definition_from_version(variant.version)
    return {part.label: code_part(definition, part.label).starter(variant.params) for part in parts}


PAIR_OPTIONS = (
    ("A", "both statements are true"),
    ("B", "only statement I is true"),
    ("C", "only statement II is true"),
    ("D", "both statements are false"),
)
"""The choices of a statement-pair part, as `grader.parsing.choice.PAIR_LETTERS` reads them."""
TRUTH_OPTIONS = (("true", "True"), ("false", "False"))


def _inline_html(md: str) -> str:
    """Markdown (with maths) as HTML to put inside a label: one paragraph loses its <p>."""
    rendered = question_engine.render_markdown(md).strip()
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    if rendered.startswith("<p>") and rendered.endswith("</p>") and "<p>" not in inner:
        return inner
    return rendered


def _choice_options(variant: Variant) -> dict[str, list[dict[str, str]]]:
    """The options each choice-like part of a variant offers, as radio buttons or checkboxes
    show them: label → [{value (what is submitted), key ("(a)", "A", or "" for true/false),
    text_html}]. A choice or multi part whose options the variant does not show in a way
    `question_engine.part_options` can find is left out (the page then offers a text box)."""
    kinds = {part.label: part.kind for part in variant.version.parts.all()}
    options: dict[str, list[dict[str, str]]] = {}
    if any(kind in question_engine.CHOICE_KINDS for kind in kinds.values()):
        found = question_engine.part_options(
            definition_from_version(variant.version),
            variant.statement_md,
            variant.part_prompts or {},
        )
        for label, texts in found.items():
            options[label] = [
                {"value": key, "key": f"({key})", "text_html": _inline_html(text)}
                for key, text in texts.items()
            ]
    for label, kind in kinds.items():
        if kind == "pair":
            options[label] = [
                {"value": key, "key": key, "text_html": text} for key, text in PAIR_OPTIONS
            ]
        elif kind == "truefalse":
            options[label] = [
                {"value": key, "key": "", "text_html": text} for key, text in TRUTH_OPTIONS
            ]
    return options


def variant_public(variant: Variant) -> dict[str, Any]:
    """Statement and parts of a variant; never its parameters' answers or references.

    A code part's starter is in `starter` only (its prompt no longer repeats it). Choice, multi,
    true/false and statement-pair parts carry `options` (see `_choice_options`) unless a choice
    or multi part's options cannot be found.
    """
    starters = _code_starters(variant)
    prompts = {
        label: prompt_without_starter(prompt, starters[label]) if label in starters else prompt
        for label, prompt in (variant.part_prompts or {}).items()
    }
    options = _choice_options(variant)
    return {
        "question": variant.version.question.slug,
        "title": variant.version.question.title,
        "version": variant.version.number,
        "statement_md": variant.statement_md,
        "statement_html": question_engine.render_markdown(variant.statement_md),
        "parts": [
            {
                "label": part.label,
                "display_label": part.display_label,
                "kind": part.kind,
                "marks": float(part.marks),
                "prompt_md": prompts.get(part.label, ""),
                "prompt_html": question_engine.render_markdown(prompts.get(part.label, "")),
                **({"starter": starters[part.label]} if part.label in starters else {}),
                **({"options": options[part.label]} if part.label in options else {}),
            }
            for part in variant.version.parts.all()
        ],
    }


def results_visible(submission: Submission) -> bool:
    """Whether the student may see the submission's marks and per-part feedback now.

    An exam shows them once the attempt has closed. Practice shows them at once, except marks
    on the original exam's numbers while an exam sitting showing those numbers is open: they
    would be an answer key for that sitting.
    """
    attempt = submission.attempt
    if attempt.mode == Attempt.Mode.EXAM:
        return attempt.is_closed(timezone.now())
    variant = submission.variant
    return not (
        variant.is_paper
        and selectors.original_numbers_in_open_exam(question=variant.version.question)
    )


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


class SolutionStatus(StrEnum):
    """Whether the worked solution of a variant held in an attempt may be shown, and if not,
    when it will be."""

    SHOWN = "shown"
    ON_REQUEST = "on_request"  # practice, marked at least once: shown when the student asks
    NOT_YET = "not_yet"  # practice, nothing marked yet on these numbers
    AFTER_FINISH = "after_finish"  # exam still open
    AFTER_ALL_SITTINGS = "after_all_sittings"  # original numbers while a sitting is open


SOLUTION_NOTES = {
    SolutionStatus.SHOWN: "",
    SolutionStatus.ON_REQUEST: (
        "Show the worked solution when you are ready; after that, answers on these numbers "
        "are no longer scored."
    ),
    SolutionStatus.NOT_YET: (
        "Submit an answer first; you can then ask for the worked solution, after which answers "
        "on these numbers are no longer scored."
    ),
    SolutionStatus.AFTER_FINISH: "Marks and the worked solution appear when you finish.",
    SolutionStatus.AFTER_ALL_SITTINGS: (
        "These are the original exam numbers and other students are still sitting the exam: "
        "the worked solution appears once every sitting has closed."
    ),
}

RETIRED_NOTICE = (
    "Your instructor withdrew this variant; your answers stand. Start a new attempt for fresh "
    "numbers."
)
RETIRED_IN_EXAM_NOTICE = (
    "Your instructor withdrew these numbers after your sitting began; keep answering them, "
    "your answers will be marked."
)
SOLUTION_SHOWN_NOTICE = (
    "You have seen the worked solution for these numbers, so answers on them are no longer "
    "scored. Try a new variant for fresh numbers."
)


def solution_status(*, attempt: Attempt, variant: Variant) -> SolutionStatus:
    """The rule, in one place: practice shows a variant's solution once the student asked for
    it (after a marked answer); an exam once the attempt has closed; the original exam numbers
    never while an exam sitting showing them is open (to anyone but instructors, who preview)."""
    question = variant.version.question
    if variant.is_paper and selectors.original_numbers_in_open_exam(question=question):
        if attempt.mode == Attempt.Mode.EXAM and not attempt.is_closed(timezone.now()):
            return SolutionStatus.AFTER_FINISH
        return SolutionStatus.AFTER_ALL_SITTINGS
    if attempt.mode == Attempt.Mode.EXAM:
        if attempt.is_closed(timezone.now()):
            return SolutionStatus.SHOWN
        return SolutionStatus.AFTER_FINISH
    assignment = selectors.variant_assignment_get(attempt=attempt, question=question)
    if (
        assignment is not None
        and assignment.variant_id == variant.pk
        and assignment.solution_shown_at is not None
    ):
        return SolutionStatus.SHOWN
    if attempt.submissions.filter(variant=variant, status=Submission.Status.GRADED).exists():
        return SolutionStatus.ON_REQUEST
    return SolutionStatus.NOT_YET


def solution_public(variant: Variant) -> dict[str, Any]:
    """The worked solution and model answers of a variant: only once `solution_status` allows."""
    return {
        "solution_html": question_engine.render_markdown(variant.solution_md),
        "model_answers": {
            part.label: part.model_answer
            for part in variant.version.parts.all()
            if part.model_answer
        },
    }


def held_variant_state(*, attempt: Attempt, variant: Variant) -> dict[str, Any]:
    """What a student may do with the variant they hold in an attempt, with the notices to show:
    whether it was retired, whether its solution is shown (and if not, when), whether answers
    are still accepted."""
    status = solution_status(attempt=attempt, variant=variant)
    question = variant.version.question
    assignment = selectors.variant_assignment_get(attempt=attempt, question=question)
    shown_at = assignment.solution_shown_at if assignment is not None else None
    practice = attempt.mode == Attempt.Mode.PRACTICE
    notices = []
    if variant.retired:
        notices.append(RETIRED_NOTICE if practice else RETIRED_IN_EXAM_NOTICE)
    if practice and shown_at is not None:
        notices.append(SOLUTION_SHOWN_NOTICE)
    return {
        "variant_retired": variant.retired,
        "solution_status": str(status),
        "solution_note": SOLUTION_NOTES[status],
        "solution_shown_at": shown_at.isoformat() if shown_at else None,
        "answerable": not attempt.is_closed(timezone.now())
        and not (practice and (variant.retired or shown_at is not None)),
        "notices": notices,
        **(solution_public(variant) if status == SolutionStatus.SHOWN else {}),
    }


def submission_public(submission: Submission) -> dict[str, Any]:
    """What the student (or an API client) sees of a submission.

    Marks once results are visible; the worked solution only when `solution_status` says so.
    `error_message` is the student-facing message for the failure kind (the internal detail is
    for instructors only); `awaiting_marking` says whether the mark will still come by itself,
    so a client keeps polling.
    """
    visible = results_visible(submission)
    show = visible and submission.status == Submission.Status.GRADED
    failed = submission.status == Submission.Status.ERROR
    status = solution_status(attempt=submission.attempt, variant=submission.variant)
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
        "solution_status": str(status),
        "solution_note": SOLUTION_NOTES[status],
    }
    if status == SolutionStatus.SHOWN:
        data.update(solution_public(submission.variant))
    return data


VARIANT_STATUSES = ("ready", "preparing", "failed")
"""How far a student's variant is built, as pages and the API say it (`variant_status`)."""


def variant_status(variant: Variant) -> dict[str, Any]:
    """Whether the variant can be shown yet: `status` ("ready"; "preparing": still being built
    in the background, look again after `retry_after_s` seconds; "failed": the question's own
    code failed), with the `message` to show the student ("" when ready)."""
    title = variant.version.question.title
    if variant.is_ready:
        return {"status": "ready", "message": "", "retry_after_s": None}
    if variant.state == Variant.State.FAILED:
        return {
            "status": "failed",
            "message": VARIANT_FAILED_MESSAGE.format(title=title),
            "retry_after_s": None,
        }
    retry_after_s = settings.VARIANT_RETRY_AFTER_S
    return {
        "status": "preparing",
        "message": VARIANT_PREPARING_MESSAGE.format(title=title, retry_after_s=retry_after_s),
        "retry_after_s": retry_after_s,
    }

"""Entry points that check, parse and mark all the parts of one question variant."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from grader.code.syntax import syntax_error_lines, syntax_problem
from grader.errors import AnswerFormatError, RuleError
from grader.kinds import MARKERS, SKIPPED_KINDS, UNCHECKED_KINDS
from grader.kinds.base import NO_REFERENCE_FEEDBACK, manual_result, unanswered_result
from grader.types import PartResult, PartSpec, QuestionResult, Reference

logger = logging.getLogger(__name__)


def raw_text(value: Any) -> str:
    """The submitted answer as text (API clients may send numbers or lists instead)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def is_unanswered(value: Any) -> bool:
    """Whether a submitted answer is empty (missing, or only whitespace): the part is unanswered."""
    return not raw_text(value).strip()


def check_format(parts: Sequence[PartSpec], raw_answers: Mapping[str, Any]) -> dict[str, str]:
    """A message per part whose answer cannot be read; empty when every answer is readable.

    Empty answers are unanswered, not unreadable, and never listed. Free-text parts are not
    checked; code parts only for syntax (never run here); parts whose rule is broken are left
    to marking.
    """
    errors: dict[str, str] = {}
    for part in parts:
        if is_unanswered(raw_answers.get(part.label)):
            continue
        if part.kind == "code":
            problem = syntax_problem(raw_text(raw_answers.get(part.label)))
            if problem is not None:
                errors[part.label] = problem
            continue
        marker = MARKERS.get(part.kind)
        if marker is None or part.kind in UNCHECKED_KINDS:
            continue
        try:
            marker.parse(part, raw_text(raw_answers.get(part.label)))
        except AnswerFormatError as error:
            errors[part.label] = str(error)
        except RuleError:
            continue
    return errors


def code_error_lines(
    parts: Sequence[PartSpec], raw_answers: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Per code part whose source does not parse: `[{line, message}]` where it fails.

    For the code editor to highlight the line next to `check_format`'s message; parts that
    parse (and every other kind) are left out.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        if part.kind == "code":
            lines = syntax_error_lines(raw_text(raw_answers.get(part.label)))
            if lines:
                found[part.label] = lines
    return found


def parse_answers(parts: Sequence[PartSpec], raw_answers: Mapping[str, Any]) -> dict[str, Any]:
    """Readable answers as plain JSON values keyed by quantity name, for error carried forward."""
    parsed: dict[str, Any] = {}
    for part in parts:
        marker = MARKERS.get(part.kind)
        if marker is None or is_unanswered(raw_answers.get(part.label)):
            continue
        try:
            parsed[part.quantity_name] = marker.parse(part, raw_text(raw_answers.get(part.label)))
        except (AnswerFormatError, RuleError):
            continue
    return parsed


def mark_part(part: PartSpec, reference: Reference, raw: Any) -> PartResult:
    """Mark one part; an empty answer is `unanswered` (0, "Not answered."); broken rules and
    unknown kinds are left for an instructor, never raised."""
    if is_unanswered(raw):
        return unanswered_result(part)
    marker = MARKERS.get(part.kind)
    if marker is None:
        logger.warning("part %s has unknown answer kind %r", part.label, part.kind)
        return manual_result(part, NO_REFERENCE_FEEDBACK)
    try:
        return marker.mark(part, reference, raw_text(raw))
    except RuleError as error:
        logger.warning("cannot mark part %s automatically: %s", part.label, error)
        return manual_result(part, NO_REFERENCE_FEEDBACK)


def mark_question(
    parts: Sequence[PartSpec], reference: Reference, raw_answers: Mapping[str, Any]
) -> QuestionResult:
    """Mark every part of one variant against its reference values (code parts are skipped)."""
    return QuestionResult(
        parts={
            part.label: mark_part(part, reference, raw_answers.get(part.label))
            for part in parts
            if part.kind not in SKIPPED_KINDS
        }
    )

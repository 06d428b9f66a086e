"""Tensorgrade's marking library: parses answers and marks them. No Django imports."""

from grader.answer_marking import (
    check_format,
    code_error_lines,
    is_unanswered,
    mark_part,
    mark_question,
    parse_answers,
)
from grader.errors import AnswerFormatError, RuleError
from grader.kinds.base import unanswered_result
from grader.rules import rounding_decimals, validate_rule
from grader.shapes import shapes_fit
from grader.types import PartResult, PartSpec, QuestionResult, Reference

__all__ = [
    "AnswerFormatError",
    "PartResult",
    "PartSpec",
    "QuestionResult",
    "Reference",
    "RuleError",
    "check_format",
    "code_error_lines",
    "is_unanswered",
    "mark_part",
    "mark_question",
    "parse_answers",
    "rounding_decimals",
    "shapes_fit",
    "unanswered_result",
    "validate_rule",
]

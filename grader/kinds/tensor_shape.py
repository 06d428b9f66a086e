"""Parts that ask for any tensor of a given shape and element type (e.g. seed 002 Q1(a)(ii))."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.errors import AnswerFormatError, RuleError
from grader.kinds.base import credited_result, format_error_result
from grader.parsing.array import ParsedArray, parse_array
from grader.rules import validate_rule
from grader.types import PartResult, PartSpec, Reference


def _rule(part: PartSpec) -> Mapping[str, Any]:
    problems = validate_rule(part.kind, part.rule)
    if problems:
        raise RuleError(f"rule of part {part.label}: " + "; ".join(problems))
    return part.rule


def _shape_list(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


class TensorShapeMarker:
    """Accepts any tensor whose shape and element type are the ones the rule asks for."""

    def parse(self, part: PartSpec, raw: str) -> Any:
        _rule(part)
        return parse_array(raw).values.tolist()

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        rule = _rule(part)
        try:
            answer = parse_array(raw)
        except AnswerFormatError as error:
            return format_error_result(part, str(error))
        if answer.shape != tuple(rule["shape"]):
            return credited_result(
                part,
                0.0,
                f"Your tensor has shape {_shape_list(answer.shape)}, which is not the shape "
                "the question asks for. Count the brackets at each level.",
                mistakes=("shape",),
            )
        problem = self.element_problem(answer, rule)
        if problem:
            return credited_result(part, 0.0, problem, mistakes=("element_type",))
        return credited_result(part, 1.0, "Correct.", "exact")

    @staticmethod
    def element_problem(answer: ParsedArray, rule: Mapping[str, Any]) -> str | None:
        if rule.get("elements", "any") != "integer":
            return None
        if not all(entry.value.is_integer() for entry in answer.entries):
            return "The shape is right, but the elements must be integers."
        if rule.get("strict_dtype", False) and not all(e.integer_literal for e in answer.entries):
            return (
                "The shape is right, but write the elements as integers without a decimal "
                "point (e.g. 3, not 3.): in Python, 3. is a float."
            )
        return None

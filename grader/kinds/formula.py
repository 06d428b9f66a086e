"""Formula answers in named variables, compared by sympy and by evaluation at random points."""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Mapping
from typing import Any, Literal

from grader.errors import AnswerFormatError, RuleError
from grader.kinds.base import (
    NO_REFERENCE_FEEDBACK,
    credited_result,
    format_error_result,
    manual_result,
    reference_value,
)
from grader.parsing.expression import Node, evaluate, parse_expression
from grader.rules import validate_rule
from grader.symbolic import proves_equal
from grader.types import PartResult, PartSpec, Reference

DEFAULT_DOMAIN = (0.5, 3.0)
SAMPLE_POINTS = 12
MIN_VALID_POINTS = 4
RELATIVE_AGREEMENT = 1e-7
ABSOLUTE_AGREEMENT = 1e-10
FORMULA_MISTAKES = (
    ("sign", -1.0, "Sign error: your formula is the negative of the expected one."),
    ("double", 2.0, "Your formula is twice the expected one — look for a factor of 2."),
    ("half", 0.5, "Your formula is half the expected one — look for a missing factor of 2."),
)
Agreement = Literal["agree", "differ", "undecided"]


def _rule(part: PartSpec) -> Mapping[str, Any]:
    problems = validate_rule(part.kind, part.rule)
    if problems:
        raise RuleError(f"rule of part {part.label}: " + "; ".join(problems))
    return part.rule


def _variables(rule: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(rule.get("variables", ()))


def _domain(rule: Mapping[str, Any], name: str) -> tuple[float, float]:
    low, high = rule.get("domain", {}).get(name, DEFAULT_DOMAIN)
    return float(low), float(high)


def _sample_points(rule: Mapping[str, Any], seed_text: str) -> list[dict[str, float]]:
    generator = random.Random(zlib.crc32(seed_text.encode()))
    names = sorted(_variables(rule))
    return [
        {name: generator.uniform(*_domain(rule, name)) for name in names}
        for _ in range(SAMPLE_POINTS)
    ]


def _value_at(node: Node, point: Mapping[str, float]) -> float | None:
    try:
        value = evaluate(node, point)
    except (ArithmeticError, ValueError):
        return None
    return value if math.isfinite(value) else None


def numeric_agreement(
    answer: Node, expected: Node, points: list[dict[str, float]], factor: float = 1.0
) -> Agreement:
    """Compare ``answer`` with ``factor * expected`` at every point where both are defined."""
    valid = 0
    for point in points:
        got, want = _value_at(answer, point), _value_at(expected, point)
        if got is None or want is None:
            continue
        valid += 1
        if not math.isclose(
            got, factor * want, rel_tol=RELATIVE_AGREEMENT, abs_tol=ABSOLUTE_AGREEMENT
        ):
            return "differ"
    return "agree" if valid >= MIN_VALID_POINTS else "undecided"


class FormulaMarker:
    """Marks formula parts; the reference is the formula as text, in the rule's variables."""

    def parse(self, part: PartSpec, raw: str) -> str:
        rule = _rule(part)
        parse_expression(raw.strip(), _variables(rule))
        return raw.strip()

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        rule = _rule(part)
        variables = _variables(rule)
        try:
            answer = parse_expression(raw.strip(), variables)
        except AnswerFormatError as error:
            return format_error_result(part, str(error))
        reference_text = reference_value(part, reference)
        if reference_text is None:
            return manual_result(part, NO_REFERENCE_FEEDBACK)
        try:
            expected = parse_expression(str(reference_text), variables)
        except AnswerFormatError as error:
            raise RuleError(f"reference formula of part {part.label}: {error}") from None
        points = _sample_points(rule, str(reference_text))
        positive = {name: _domain(rule, name)[0] > 0 for name in variables}
        agreement = numeric_agreement(answer, expected, points)
        if agreement == "agree" or proves_equal(answer, expected, positive):
            return credited_result(part, 1.0, "Correct.", "exact")
        if agreement == "undecided":
            return manual_result(
                part,
                "Your formula could not be checked automatically (it is undefined at the test "
                "points); an instructor will mark it.",
            )
        return self.wrong(part, rule, answer, expected, points)

    def wrong(
        self,
        part: PartSpec,
        rule: Mapping[str, Any],
        answer: Node,
        expected: Node,
        points: list[dict[str, float]],
    ) -> PartResult:
        """Name an anticipated answer or a known mistake, else plain 'Incorrect.'."""
        variables = _variables(rule)
        for entry in rule.get("anticipated", ()):
            if "answer" not in entry:
                continue
            try:
                anticipated = parse_expression(str(entry["answer"]), variables)
            except AnswerFormatError:
                continue
            if numeric_agreement(answer, anticipated, points) == "agree":
                credit = float(entry.get("credit", 0.0))
                return credited_result(part, credit, entry["feedback"], "anticipated")
        for name, factor, feedback in FORMULA_MISTAKES:
            if numeric_agreement(answer, expected, points, factor) == "agree":
                return credited_result(part, 0.0, feedback, mistakes=(name,))
        return credited_result(part, 0.0, "Incorrect.")

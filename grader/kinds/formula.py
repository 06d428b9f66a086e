"""Formula answers in named variables, compared by sympy and by evaluation at random points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.errors import AnswerFormatError, RuleError
from grader.kinds.base import (
    NO_REFERENCE_FEEDBACK,
    credited_result,
    format_error_result,
    manual_result,
    reference_value,
)
from grader.kinds.formula_points import (
    MIN_VALID_POINTS,
    SAMPLE_POINTS,
    TOO_LARGE,
    Comparison,
    Point,
    compare,
    defined_count,
    failure_reason,
    numeric_agreement,
    remedy,
    sample_points,
)
from grader.parsing.expression import Node, parse_expression
from grader.rules import validate_rule
from grader.symbolic import proves_equal
from grader.types import PartResult, PartSpec, Reference

__all__ = ["FormulaMarker", "numeric_agreement", "reference_formula_problem"]

DEFAULT_DOMAIN = (0.5, 3.0)
FORMULA_MISTAKES = (
    ("sign", -1.0, "Sign error: your formula is the negative of the expected one."),
    ("double", 2.0, "Your formula is twice the expected one — look for a factor of 2."),
    ("half", 0.5, "Your formula is half the expected one — look for a missing factor of 2."),
)


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


def _points(rule: Mapping[str, Any], reference_text: str) -> list[dict[str, float]]:
    variables = _variables(rule)
    domains = {name: _domain(rule, name) for name in variables}
    return sample_points(sorted(variables), domains, reference_text)


@dataclass(frozen=True)
class _ReferenceFormula:
    """The parsed reference and the points to compare at (where it is defined often enough)."""

    formula: Node
    points: list[dict[str, float]]


def _reference_formula(rule: Mapping[str, Any], text: str) -> _ReferenceFormula:
    """The reference and its points: the first SAMPLE_POINTS, or all of them when it is
    defined at fewer than MIN_VALID_POINTS of the first; raises RuleError when it is defined
    at fewer than MIN_VALID_POINTS of all (an author's error) or cannot be read."""
    try:
        expected = parse_expression(text, _variables(rule))
    except AnswerFormatError as error:
        raise RuleError(f"the reference formula {text!r} cannot be read: {error}") from None
    points = _points(rule, text)
    if defined_count(expected, points[:SAMPLE_POINTS]) >= MIN_VALID_POINTS:
        return _ReferenceFormula(expected, points[:SAMPLE_POINTS])
    defined = defined_count(expected, points)
    if defined >= MIN_VALID_POINTS:
        return _ReferenceFormula(expected, points)
    reason = failure_reason(expected, points) or "is undefined"
    raise RuleError(
        f"the reference formula {text!r} can be evaluated at only {defined} of {len(points)} "
        f"sample points (it {reason}); fix the formula or the rule's 'domain'"
    )


def reference_formula_problem(part: PartSpec, reference_text: str) -> str | None:
    """Why ``reference_text`` cannot serve as the reference of formula ``part``, or None.

    It must be a valid rule, parse in the rule's variables and be defined at MIN_VALID_POINTS
    or more of the sample points: a formula undefined all over its domain is the author's
    error, reported by ``bank validate``.
    """
    try:
        _reference_formula(_rule(part), reference_text)
    except RuleError as error:
        return str(error)
    return None


def undefined_feedback(comparison: Comparison, variables: frozenset[str]) -> str:
    """Feedback for a formula that cannot be evaluated where the expected one can."""
    names = ", ".join(sorted(variables)) or "the variables"
    where = (
        f"for typical values of {names}"
        if comparison.failures == comparison.expected_defined
        else f"for some values of {names} where the expected formula is defined"
    )
    return (
        f"Incorrect: your formula cannot be evaluated {where} (it {comparison.reason}); "
        f"{remedy(comparison.reason)}."
    )


class FormulaMarker:
    """Marks formula parts; the reference is the formula as text, in the rule's variables."""

    def parse(self, part: PartSpec, raw: str) -> str:
        rule = _rule(part)
        parse_expression(raw.strip(), _variables(rule), exponent_notation=False)
        return raw.strip()

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        rule = _rule(part)
        variables = _variables(rule)
        try:
            answer = parse_expression(raw.strip(), variables, exponent_notation=False)
        except AnswerFormatError as error:
            return format_error_result(part, str(error))
        reference_text = reference_value(part, reference)
        if reference_text is None:
            return manual_result(part, NO_REFERENCE_FEEDBACK)
        try:
            reference_formula = _reference_formula(rule, str(reference_text))
        except RuleError as error:
            raise RuleError(f"part {part.label}: {error}") from None
        expected, points = reference_formula.formula, reference_formula.points
        comparison = compare(answer, expected, points)
        if comparison.outcome == "undefined":
            return credited_result(part, 0.0, undefined_feedback(comparison, variables))
        positive = {name: _domain(rule, name)[0] > 0 for name in variables}
        if comparison.outcome == "agree" or proves_equal(answer, expected, positive):
            return credited_result(part, 1.0, "Correct.", "exact")
        return self.wrong(part, rule, answer, expected, points, comparison)

    def wrong(
        self,
        part: PartSpec,
        rule: Mapping[str, Any],
        answer: Node,
        expected: Node,
        points: Sequence[Point],
        comparison: Comparison,
    ) -> PartResult:
        """Name an anticipated answer or a known mistake, else 'Incorrect.' — saying that the
        answer gives numbers too large to work with when it overflowed floats at every point
        (``comparison`` is the answer's comparison with ``expected``)."""
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
        if comparison.overflowed_everywhere:
            everywhere = comparison.expected_defined
            too_large = Comparison("undefined", everywhere, everywhere, TOO_LARGE)
            return credited_result(part, 0.0, undefined_feedback(too_large, variables))
        return credited_result(part, 0.0, "Incorrect.")

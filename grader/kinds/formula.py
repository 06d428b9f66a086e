"""Formula answers in named variables, compared by sympy and by evaluation at random points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def reference_formula_problem(part: PartSpec, reference_text: str) -> str | None:
    """Why the reference formula of ``part`` cannot be used for marking, or None when it can.

    The reference must parse in the rule's variables and be defined at MIN_VALID_POINTS or
    more of the sample points (a formula undefined all over its domain is the author's error).
    Raises RuleError when the part's rule itself is invalid.
    """
    rule = _rule(part)
    try:
        expected = parse_expression(reference_text, _variables(rule))
    except AnswerFormatError as error:
        return f"the reference formula {reference_text!r} cannot be read: {error}"
    points = _points(rule, reference_text)
    defined = _defined_enough(expected, points)
    if defined >= MIN_VALID_POINTS:
        return None
    reason = failure_reason(expected, points) or "is undefined"
    return (
        f"the reference formula {reference_text!r} can be evaluated at only {defined} of "
        f"{len(points)} sample points (it {reason}); fix the formula or the rule's 'domain'"
    )


def _defined_enough(expected: Node, points: Sequence[Point]) -> int:
    """How many points the reference is defined at, looking past the first few only if needed."""
    first = defined_count(expected, points[:SAMPLE_POINTS])
    if first >= MIN_VALID_POINTS:
        return first
    return first + defined_count(expected, points[SAMPLE_POINTS:])


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
        problem = reference_formula_problem(part, str(reference_text))
        if problem is not None:
            raise RuleError(f"part {part.label}: {problem}")
        expected = parse_expression(str(reference_text), variables)
        all_points = _points(rule, str(reference_text))
        points = all_points[:SAMPLE_POINTS]
        comparison = compare(answer, expected, points)
        if comparison.outcome == "undecided":
            points = all_points
            comparison = compare(answer, expected, points)
        agreement = comparison.outcome
        if agreement == "undefined":
            return credited_result(part, 0.0, undefined_feedback(comparison, variables))
        positive = {name: _domain(rule, name)[0] > 0 for name in variables}
        if agreement == "agree" or proves_equal(answer, expected, positive):
            return credited_result(part, 1.0, "Correct.", "exact")
        if agreement == "undecided":
            return manual_result(
                part,
                "Your formula could not be checked automatically: too few test points have "
                "both it and the expected formula defined. An instructor will mark it.",
            )
        return self.wrong(part, rule, answer, expected, points)

    def wrong(
        self,
        part: PartSpec,
        rule: Mapping[str, Any],
        answer: Node,
        expected: Node,
        points: Sequence[Point],
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

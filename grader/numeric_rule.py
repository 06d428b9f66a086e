"""The settings that mark a numeric part (number, integer, vector, matrix, tensor)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.errors import RuleError
from grader.parsing.number import PLAIN_NOTATION, Notation
from grader.rules import validate_rule
from grader.tolerance import Tolerance
from grader.types import PartSpec

DEFAULT_TOLERANCE = Tolerance(relative=1e-3)
INTEGER_TOLERANCE = Tolerance()
DEFAULT_INSUFFICIENT_PRECISION_CREDIT = 0.5


@dataclass(frozen=True)
class NumericRule:
    """A validated numeric rule with every default filled in (see docs/marking.md)."""

    tolerance: Tolerance
    rounded_credit: float = 1.0
    carried_forward_credit: float = 1.0
    mistakes: bool = True
    perturbations: bool = True
    mistake_credit: float = 0.0
    mistake_hints: Mapping[str, Any] = field(default_factory=dict)
    insufficient_precision_credit: float = DEFAULT_INSUFFICIENT_PRECISION_CREDIT
    anticipated: tuple[Mapping[str, Any], ...] = ()
    per_element_credit: bool = False
    shape: tuple[int, ...] | None = None
    notation: Notation = PLAIN_NOTATION
    written_sf: int | None = None


def _tolerance(kind: str, rule: Mapping[str, Any]) -> Tolerance:
    default = INTEGER_TOLERANCE if kind == "integer" else DEFAULT_TOLERANCE
    if "tolerance" in rule:
        return Tolerance.from_rule(rule["tolerance"], default)
    if "abs_tol" in rule or "rel_tol" in rule:
        return Tolerance(absolute=rule.get("abs_tol", 0.0), relative=rule.get("rel_tol", 0.0))
    if "written_sf" in rule:
        return Tolerance(sf=rule["written_sf"])
    return default


def _notation(kind: str, rule: Mapping[str, Any]) -> Notation:
    hints = rule.get("mistake_hints", {})
    return Notation(
        percent_is_unit=bool(hints.get("percent", False)),
        decimal_comma=bool(rule.get("decimal_comma", False)),
        whole=kind == "integer",
    )


def numeric_rule(part: PartSpec) -> NumericRule:
    """Read the part's rule; raises RuleError listing every problem an author must fix."""
    problems = validate_rule(part.kind, part.rule)
    if problems:
        raise RuleError(f"rule of part {part.label}: " + "; ".join(problems))
    rule = part.rule
    shape = rule.get("shape")
    return NumericRule(
        tolerance=_tolerance(part.kind, rule),
        rounded_credit=float(rule.get("rounded_credit", 1.0)),
        carried_forward_credit=float(rule.get("carried_forward_credit", 1.0)),
        mistakes=bool(rule.get("mistakes", True)),
        perturbations=bool(rule.get("perturbations", True)),
        mistake_credit=float(rule.get("mistake_credit", 0.0)),
        mistake_hints=dict(rule.get("mistake_hints", {})),
        insufficient_precision_credit=float(
            rule.get("insufficient_precision_credit", DEFAULT_INSUFFICIENT_PRECISION_CREDIT)
        ),
        anticipated=tuple(rule.get("anticipated", ())),
        per_element_credit=bool(rule.get("per_element_credit", False)),
        shape=tuple(shape) if shape else None,
        notation=_notation(part.kind, rule),
        written_sf=rule.get("written_sf"),
    )

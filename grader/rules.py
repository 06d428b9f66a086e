"""The schema of a part's marking rule (a JSON dict stored on the part) and its validation.

Every key is optional; docs/marking.md lists each key with its default and an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from grader.types import PartSpec

NUMERIC_KINDS = frozenset({"number", "integer", "vector", "matrix", "tensor"})
ARRAY_KINDS = frozenset({"vector", "matrix", "tensor"})
CHOICE_KINDS = frozenset({"choice", "multi", "truefalse", "pair"})
ALL_KINDS = NUMERIC_KINDS | CHOICE_KINDS | {"tensor_shape", "formula", "text", "code"}

MULTI_SCORING_MODES = ("all_or_nothing", "net_correct", "each_answer")
ELEMENT_TYPES = ("integer", "real", "any")
LOG_BASES = ("ln", "log10", "log2")
ANGLE_FUNCTIONS = ("sin", "cos", "tan")
MAX_DECIMAL_PLACES = 15
MAX_SIGNIFICANT_FIGURES = 17
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")

Check = Callable[[Any], list[str]]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _credit(value: Any) -> list[str]:
    if _is_number(value) and 0 <= value <= 1:
        return []
    return ["must be a number from 0 (no credit) to 1 (full credit)"]


def _flag(value: Any) -> list[str]:
    return [] if isinstance(value, bool) else ["must be true or false"]


def _count_between(low: int, high: int) -> Check:
    def check(value: Any) -> list[str]:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return []
        return [f"must be a whole number from {low} to {high}"]

    return check


def _non_negative(value: Any) -> list[str]:
    return [] if _is_number(value) and value >= 0 else ["must be a number ≥ 0"]


def _tolerance(value: Any) -> list[str]:
    checks: dict[str, Check] = {
        "dp": _count_between(0, MAX_DECIMAL_PLACES),
        "sf": _count_between(1, MAX_SIGNIFICANT_FIGURES),
        "abs": _non_negative,
        "rel": _non_negative,
    }
    return _mapping(value, checks)


def _shape(value: Any) -> list[str]:
    if (
        isinstance(value, list)
        and value
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value)
    ):
        return []
    return ["must be a non-empty list of positive whole numbers, e.g. [3, 2]"]


def _one_of(options: Sequence[str]) -> Check:
    def check(value: Any) -> list[str]:
        return [] if value in options else [f"must be one of {', '.join(options)}"]

    return check


def _options(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) < 2:
        return ["must be a list of at least two option labels, e.g. ['a', 'b', 'c', 'd']"]
    labels = [str(option).strip().lower() for option in value]
    if any(not label or " " in label or "," in label for label in labels):
        return ["option labels must be short words without spaces or commas"]
    if len(set(labels)) != len(labels):
        return ["option labels must be different from each other (ignoring case)"]
    return []


def _names(value: Any) -> list[str]:
    if isinstance(value, list) and all(isinstance(n, str) and _NAME.fullmatch(n) for n in value):
        return []
    return ["must be a list of variable names such as ['k', 'M']"]


def _domain(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return ["must map variable names to [low, high] sampling ranges"]
    problems = []
    for name, bounds in value.items():
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(_is_number(b) for b in bounds)
            and bounds[0] < bounds[1]
        ):
            problems.append(f"the range for '{name}' must be [low, high] with low < high")
    return problems


def _anticipated(value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["must be a list of {answer or quantity, feedback, credit} entries"]
    problems = []
    for index, entry in enumerate(value):
        where = f"entry {index}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a mapping")
            continue
        if ("answer" in entry) == ("quantity" in entry):
            problems.append(f"{where} needs exactly one of 'answer' (text) or 'quantity' (name)")
        if not isinstance(entry.get("feedback"), str) or not entry["feedback"].strip():
            problems.append(f"{where} needs a non-empty 'feedback' text")
        if "credit" in entry:
            problems.extend(f"{where}: credit {p}" for p in _credit(entry["credit"]))
        unknown = set(entry) - {"answer", "quantity", "feedback", "credit"}
        if unknown:
            problems.append(f"{where} has unknown keys {sorted(unknown)}")
    return problems


def _mistake_hints(value: Any) -> list[str]:
    checks: dict[str, Check] = {"log": _one_of(LOG_BASES), "angle": _angle_hint, "percent": _flag}
    return _mapping(value, checks)


def _angle_hint(value: Any) -> list[str]:
    checks: dict[str, Check] = {
        "function": _one_of(ANGLE_FUNCTIONS),
        "argument": _argument,
    }
    problems = _mapping(value, checks)
    if isinstance(value, dict) and not problems and set(checks) - set(value):
        problems.append("needs both 'function' and 'argument'")
    return problems


def _argument(value: Any) -> list[str]:
    if _is_number(value) or (isinstance(value, str) and value):
        return []
    return ["must be a number or the name of a reported quantity"]


def _mapping(value: Any, checks: Mapping[str, Check]) -> list[str]:
    if not isinstance(value, dict):
        return [f"must be a mapping with keys among {', '.join(checks)}"]
    problems = []
    for key, item in value.items():
        if key not in checks:
            problems.append(f"unknown key '{key}' (allowed: {', '.join(checks)})")
        else:
            problems.extend(f"'{key}' {problem}" for problem in checks[key](item))
    return problems


_NUMERIC_CHECKS: dict[str, Check] = {
    "tolerance": _tolerance,
    "abs_tol": _non_negative,
    "rel_tol": _non_negative,
    "rounded_dp": _count_between(0, MAX_DECIMAL_PLACES),
    "rounded_credit": _credit,
    "carried_forward_credit": _credit,
    "mistakes": _flag,
    "perturbations": _flag,
    "mistake_credit": _credit,
    "mistake_hints": _mistake_hints,
    "insufficient_precision_credit": _credit,
    "anticipated": _anticipated,
    "written_sf": _count_between(1, MAX_SIGNIFICANT_FIGURES),
}
_ARRAY_CHECKS: dict[str, Check] = {
    **_NUMERIC_CHECKS,
    "per_element_credit": _flag,
    "shape": _shape,
}
KEY_CHECKS: dict[str, dict[str, Check]] = {
    "number": {**_NUMERIC_CHECKS, "decimal_comma": _flag},
    "integer": _NUMERIC_CHECKS,
    "vector": _ARRAY_CHECKS,
    "matrix": _ARRAY_CHECKS,
    "tensor": _ARRAY_CHECKS,
    "tensor_shape": {
        "shape": _shape,
        "elements": _one_of(ELEMENT_TYPES),
        "strict_dtype": _flag,
    },
    "formula": {
        "variables": _names,
        "domain": _domain,
        "anticipated": _anticipated,
    },
    "choice": {"options": _options, "anticipated": _anticipated},
    "multi": {
        "options": _options,
        "scoring": _one_of(MULTI_SCORING_MODES),
        "anticipated": _anticipated,
    },
    "truefalse": {"anticipated": _anticipated},
    "pair": {"partial_credit": _flag, "anticipated": _anticipated},
    "text": {},
}
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "tensor_shape": ("shape",),
    "multi": ("options",),
}


def validate_rule(kind: str, rule: Mapping[str, Any]) -> list[str]:
    """Problems with ``rule`` for a part of ``kind``, each a sentence; empty when valid."""
    if kind not in ALL_KINDS:
        return [f"unknown answer kind '{kind}' (known kinds: {', '.join(sorted(ALL_KINDS))})"]
    if kind == "code":
        return []
    if not isinstance(rule, Mapping):
        return ["the rule must be a JSON object (a mapping of keys to settings)"]
    problems = _mapping(dict(rule), KEY_CHECKS[kind])
    missing = [key for key in REQUIRED_KEYS.get(kind, ()) if key not in rule]
    problems.extend(f"'{key}' is required for {kind} parts" for key in missing)
    if kind == "formula" and "domain" in rule and isinstance(rule["domain"], dict):
        variables = set(rule.get("variables") or [])
        problems.extend(
            f"'domain' names '{name}', which is not in 'variables'"
            for name in rule["domain"]
            if name not in variables
        )
    return problems


def rounding_decimals(part: PartSpec) -> int | None:
    """Decimal places the solver's rounded path rounds this part's quantity to, if any."""
    if part.kind not in NUMERIC_KINDS:
        return None
    if "rounded_dp" in part.rule:
        return int(part.rule["rounded_dp"])
    tolerance = part.rule.get("tolerance")
    if isinstance(tolerance, Mapping) and isinstance(tolerance.get("dp"), int):
        return int(tolerance["dp"])
    return None


def referenced_quantities(rule: Mapping[str, Any]) -> set[str]:
    """Solver quantities a rule compares against besides its own (anticipated, angle hints)."""
    names = {
        entry["quantity"]
        for entry in rule.get("anticipated") or []
        if isinstance(entry, Mapping) and isinstance(entry.get("quantity"), str)
    }
    hints = rule.get("mistake_hints")
    angle = hints.get("angle") if isinstance(hints, Mapping) else None
    if isinstance(angle, Mapping) and isinstance(angle.get("argument"), str):
        names.add(angle["argument"])
    return names

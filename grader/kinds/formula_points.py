"""Formulas evaluated at sample points: values with their rounding scale, and agreement.

Two formulas agree at a point when their values are equal up to floating-point slack relative
to their magnitude, or when both are zero up to rounding relative to the size of the terms that
cancelled to give them (``sin(k)^2 + cos(k)^2 - 1`` against ``0``). No slack is absolute, so a
formula whose values are about 1e-14 is compared as carefully as one whose values are about 1.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from grader.parsing.expression import FUNCTIONS, Node

SAMPLE_POINTS = 12
EXTRA_POINTS = 48
MIN_VALID_POINTS = 4
RELATIVE_AGREEMENT = 1e-7
NEGLIGIBLE = 1e-12
Agreement = Literal["agree", "differ", "undecided", "undefined"]
Point = Mapping[str, float]
TOO_LARGE = "gives a number too large to work with"

_LOGARITHMS = ("ln", "log", "log10", "log2")
# f'(a) from the argument a and the value v = f(a): how much a rounding error in a is amplified.
_DERIVATIVES: dict[str, Callable[[float, float], float]] = {
    "sqrt": lambda a, v: 0.5 / v,
    "exp": lambda a, v: v,
    "ln": lambda a, v: 1.0 / a,
    "log": lambda a, v: 1.0 / a,
    "log10": lambda a, v: 1.0 / (a * math.log(10.0)),
    "log2": lambda a, v: 1.0 / (a * math.log(2.0)),
    "sin": lambda a, v: math.cos(a),
    "cos": lambda a, v: math.sin(a),
    "tan": lambda a, v: 1.0 + v * v,
    "tanh": lambda a, v: 1.0 - v * v,
    "sinh": lambda a, v: math.cosh(a),
    "cosh": lambda a, v: math.sinh(a),
    "sech": lambda a, v: v * math.tanh(a),
    "sigmoid": lambda a, v: v * (1.0 - v),
    "abs": lambda a, v: 1.0,
}
_REMEDIES = {
    "divides by zero": "check every denominator: it must not be zero for such values",
    "takes the square root of a negative number": "check the sign of what is under each root",
    "takes the logarithm of zero or of a negative number": (
        "check the sign of what is inside each logarithm"
    ),
    "raises a negative number to a fractional power": "check the sign of each base of a power",
    TOO_LARGE: "check the exponents and powers",
}


class Undefined(ArithmeticError):
    """The formula cannot be evaluated at a point; ``reason`` says why, e.g. 'divides by zero'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PointValue:
    """A formula's value at a point, and the scale of its rounding error.

    ``scale`` estimates the size of the terms the value was computed from (``x - x`` has value
    0 but scale about 2x): rounding errors are of order ``scale`` times machine epsilon.
    """

    value: float
    scale: float


def remedy(reason: str) -> str:
    """What a student should check when their formula fails for ``reason``."""
    return _REMEDIES.get(reason, "check where your formula is defined")


def sample_points(
    variables: Sequence[str], domains: Mapping[str, tuple[float, float]], seed_text: str
) -> list[dict[str, float]]:
    """SAMPLE_POINTS + EXTRA_POINTS points, uniform in each variable's domain.

    Seeded from ``seed_text`` (the reference formula), so marking is repeatable; the first
    SAMPLE_POINTS are used first and the rest only when too few points could be compared.
    """
    generator = random.Random(zlib.crc32(seed_text.encode()))
    names = sorted(variables)
    return [
        {name: generator.uniform(*domains[name]) for name in names}
        for _ in range(SAMPLE_POINTS + EXTRA_POINTS)
    ]


def point_value(node: Node, point: Point) -> PointValue:
    """Evaluate ``node`` at ``point`` with its rounding scale; raises Undefined with a reason."""
    try:
        result = _evaluate(node, point)
    except OverflowError:
        raise Undefined(TOO_LARGE) from None
    if not math.isfinite(result.value):
        raise Undefined(TOO_LARGE)
    return result


def _evaluate(node: Node, point: Point) -> PointValue:
    if node.op in ("num", "const"):
        return PointValue(node.value, abs(node.value))
    if node.op == "var":
        value = float(point[node.name])
        return PointValue(value, abs(value))
    if node.op == "neg":
        inner = _evaluate(node.args[0], point)
        return PointValue(-inner.value, inner.scale)
    if node.op == "call":
        return _call(node.name, _evaluate(node.args[0], point))
    left, right = (_evaluate(arg, point) for arg in node.args)
    return _BINARY[node.op](left, right)


def _call(name: str, argument: PointValue) -> PointValue:
    try:
        value = FUNCTIONS[name](argument.value)
    except ValueError:
        if name == "sqrt":
            raise Undefined("takes the square root of a negative number") from None
        if name in _LOGARITHMS:
            raise Undefined("takes the logarithm of zero or of a negative number") from None
        raise Undefined(f"cannot evaluate {name} there") from None
    try:
        amplified = abs(_DERIVATIVES[name](argument.value, value)) * argument.scale
    except (ArithmeticError, ValueError):
        amplified = 0.0
    return PointValue(value, _at_least(abs(value), amplified))


def _at_least(magnitude: float, scale: float) -> float:
    return max(magnitude, scale) if math.isfinite(scale) else magnitude


def _add(a: PointValue, b: PointValue) -> PointValue:
    return PointValue(a.value + b.value, a.scale + b.scale)


def _subtract(a: PointValue, b: PointValue) -> PointValue:
    return PointValue(a.value - b.value, a.scale + b.scale)


def _multiply(a: PointValue, b: PointValue) -> PointValue:
    return PointValue(a.value * b.value, a.scale * abs(b.value) + abs(a.value) * b.scale)


def _divide(a: PointValue, b: PointValue) -> PointValue:
    if b.value == 0.0:
        raise Undefined("divides by zero")
    value = a.value / b.value
    scale = a.scale / abs(b.value) + abs(value) * b.scale / abs(b.value)
    return PointValue(value, _at_least(abs(value), scale))


def _power(a: PointValue, b: PointValue) -> PointValue:
    if a.value == 0.0 and b.value < 0.0:
        raise Undefined("divides by zero")
    if a.value < 0.0 and not b.value.is_integer():
        raise Undefined("raises a negative number to a fractional power")
    value = math.pow(a.value, b.value)
    try:
        from_base = abs(b.value * math.pow(a.value, b.value - 1.0)) * a.scale
        from_exponent = abs(value * math.log(abs(a.value))) * b.scale if a.value else 0.0
        scale = from_base + from_exponent
    except (ArithmeticError, ValueError):
        scale = abs(value)
    return PointValue(value, _at_least(abs(value), scale))


_BINARY: dict[str, Callable[[PointValue, PointValue], PointValue]] = {
    "add": _add,
    "sub": _subtract,
    "mul": _multiply,
    "div": _divide,
    "pow": _power,
}


def values_agree(got: PointValue, want: PointValue) -> bool:
    """Equal up to RELATIVE_AGREEMENT of their magnitude, or both zero up to rounding."""
    if abs(got.value - want.value) <= RELATIVE_AGREEMENT * max(abs(got.value), abs(want.value)):
        return True
    return abs(got.value) <= NEGLIGIBLE * got.scale and abs(want.value) <= NEGLIGIBLE * want.scale


def _value_or_none(node: Node, point: Point) -> PointValue | None:
    try:
        return point_value(node, point)
    except Undefined:
        return None


@dataclass(frozen=True)
class Comparison:
    """How an answer compared with an expected formula over a set of points.

    ``failures`` counts the points where the expected formula is defined but the answer is
    not; ``reason`` says why the answer failed at the first of them.
    """

    outcome: Agreement
    expected_defined: int = 0
    failures: int = 0
    reason: str = ""


def compare(
    answer: Node, expected: Node, points: Sequence[Point], factor: float = 1.0
) -> Comparison:
    """Compare ``answer`` with ``factor * expected`` at ``points``.

    "differ" when they disagree where both are defined; "undefined" when the answer cannot be
    evaluated at some point where the expected formula can (which is defined at
    MIN_VALID_POINTS or more) — a division by zero, a root or logarithm of a negative number;
    an answer that only overflows somewhere is compared at the other points (an equivalent
    form may overflow where the expected one does not), and is "undefined" only when it
    overflows everywhere; "agree" when they agree at MIN_VALID_POINTS or more points;
    otherwise "undecided".
    """
    compared = expected_defined = failures = overflows = 0
    reason = ""
    for point in points:
        want = _value_or_none(expected, point)
        if want is None:
            continue
        expected_defined += 1
        try:
            got = point_value(answer, point)
        except Undefined as failure:
            if failure.reason == TOO_LARGE:
                overflows += 1
                continue
            failures += 1
            reason = reason or failure.reason
            continue
        compared += 1
        if not values_agree(got, PointValue(factor * want.value, abs(factor) * want.scale)):
            return Comparison("differ", expected_defined, failures, reason)
    if overflows == expected_defined >= MIN_VALID_POINTS:
        failures, reason = overflows, TOO_LARGE
    if failures and expected_defined >= MIN_VALID_POINTS:
        outcome: Agreement = "undefined"
    elif compared >= MIN_VALID_POINTS:
        outcome = "agree"
    else:
        outcome = "undecided"
    return Comparison(outcome, expected_defined, failures, reason)


def numeric_agreement(
    answer: Node, expected: Node, points: Sequence[Point], factor: float = 1.0
) -> Agreement:
    """The outcome of :func:`compare`: "agree", "differ", "undefined" or "undecided"."""
    return compare(answer, expected, points, factor).outcome


def failure_reason(node: Node, points: Sequence[Point]) -> str | None:
    """Why ``node`` cannot be evaluated at the first point where it fails; None if it never does."""
    for point in points:
        try:
            point_value(node, point)
        except Undefined as failure:
            return failure.reason
    return None


def defined_count(node: Node, points: Sequence[Point]) -> int:
    """At how many of ``points`` the formula can be evaluated."""
    return sum(_value_or_none(node, point) is not None for point in points)

"""Formulas evaluated at sample points: values with their rounding scale, and agreement.

Two formulas agree at a point when their values are equal up to floating-point slack relative
to their magnitude, or when both are zero up to rounding relative to the size of the terms that
cancelled to give them (``sin(k)^2 + cos(k)^2 - 1`` against ``0``). No slack is absolute, so a
formula whose values are about 1e-14 is compared as carefully as one whose values are about 1.

Formulas are evaluated in floats; at a point where either fails in floats (``exp(x)`` at
x = 800 overflows), both are evaluated again in wide numbers (:mod:`grader.kinds.formula_mp`:
the same precision, an exponent range far beyond floats') and compared there by the same rules.
"""

from __future__ import annotations

import functools
import math
import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
_LN10, _LN2 = math.log(10.0), math.log(2.0)
Functions = Mapping[str, Callable[[Any], Any]]
# f'(a) from the functions f, the argument a and the value v = f(a): how much a rounding error
# in a is amplified.
_DERIVATIVES: dict[str, Callable[[Functions, Any, Any], Any]] = {
    "sqrt": lambda f, a, v: 0.5 / v,
    "exp": lambda f, a, v: v,
    "ln": lambda f, a, v: 1.0 / a,
    "log": lambda f, a, v: 1.0 / a,
    "log10": lambda f, a, v: 1.0 / (a * _LN10),
    "log2": lambda f, a, v: 1.0 / (a * _LN2),
    "sin": lambda f, a, v: f["cos"](a),
    "cos": lambda f, a, v: f["sin"](a),
    "tan": lambda f, a, v: 1.0 + v * v,
    "tanh": lambda f, a, v: 1.0 - v * v,
    "sinh": lambda f, a, v: f["cosh"](a),
    "cosh": lambda f, a, v: f["sinh"](a),
    "sech": lambda f, a, v: v * f["tanh"](a),
    "sigmoid": lambda f, a, v: v * (1.0 - v),
    "abs": lambda f, a, v: 1.0,
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
    0 but scale about 2x): rounding errors are of order ``scale`` times machine epsilon. Both
    are floats, or wide numbers (:mod:`grader.kinds.formula_mp`) where floats failed.
    """

    value: Any
    scale: Any


@dataclass(frozen=True)
class Arithmetic:
    """A number system to evaluate formulas in: floats, or the wide numbers of formula_mp.

    ``functions`` maps each function name to its implementation; like ``math``'s, they raise
    ValueError outside their domain and OverflowError for a result too large to work with.
    ``is_finite`` is false for a value too large to work with.
    """

    number: Callable[[float], Any]
    functions: Functions
    power: Callable[[Any, Any], Any]
    is_integer: Callable[[Any], bool]
    is_finite: Callable[[Any], bool]


FLOATS = Arithmetic(float, FUNCTIONS, math.pow, float.is_integer, math.isfinite)


@functools.cache
def wide_arithmetic() -> Arithmetic:
    """The wide numbers of :mod:`grader.kinds.formula_mp`, imported (with mpmath) on first use."""
    from grader.kinds import formula_mp

    return Arithmetic(
        formula_mp.number,
        formula_mp.FUNCTIONS,
        formula_mp.power,
        formula_mp.is_integer,
        formula_mp.is_finite,
    )


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


def evaluate_in(node: Node, point: Point, arithmetic: Arithmetic) -> PointValue:
    """Evaluate ``node`` at ``point`` in ``arithmetic`` with its rounding scale.

    Raises Undefined with a reason, e.g. TOO_LARGE when a value is too large for ``arithmetic``.
    """
    try:
        result = _evaluate(node, point, arithmetic)
    except OverflowError:
        raise Undefined(TOO_LARGE) from None
    if not arithmetic.is_finite(result.value):
        raise Undefined(TOO_LARGE)
    return result


def point_value(node: Node, point: Point) -> PointValue:
    """``node`` at ``point`` with its rounding scale: in floats, or in wide numbers where floats
    fail (``exp(x)`` at x = 800); raises Undefined with the reason the wide evaluation gives."""
    try:
        return evaluate_in(node, point, FLOATS)
    except Undefined:
        return evaluate_in(node, point, wide_arithmetic())


def _evaluate(node: Node, point: Point, arithmetic: Arithmetic) -> PointValue:
    if node.op in ("num", "const", "var"):
        value = arithmetic.number(node.value if node.op != "var" else float(point[node.name]))
        return PointValue(value, abs(value))
    if node.op == "neg":
        inner = _evaluate(node.args[0], point, arithmetic)
        return PointValue(-inner.value, inner.scale)
    if node.op == "call":
        return _call(node.name, _evaluate(node.args[0], point, arithmetic), arithmetic)
    left, right = (_evaluate(arg, point, arithmetic) for arg in node.args)
    return _BINARY[node.op](left, right, arithmetic)


def _call(name: str, argument: PointValue, arithmetic: Arithmetic) -> PointValue:
    functions = arithmetic.functions
    try:
        value = functions[name](argument.value)
    except ValueError:
        if name == "sqrt":
            raise Undefined("takes the square root of a negative number") from None
        if name in _LOGARITHMS:
            raise Undefined("takes the logarithm of zero or of a negative number") from None
        raise Undefined(f"cannot evaluate {name} there") from None
    try:
        derivative = _DERIVATIVES[name](functions, argument.value, value)
        amplified = abs(derivative) * argument.scale
    except (ArithmeticError, ValueError):
        amplified = 0.0
    return PointValue(value, _at_least(abs(value), amplified, arithmetic))


def _at_least(magnitude: Any, scale: Any, arithmetic: Arithmetic) -> Any:
    return max(magnitude, scale) if arithmetic.is_finite(scale) else magnitude


def _add(a: PointValue, b: PointValue, arithmetic: Arithmetic) -> PointValue:
    return PointValue(a.value + b.value, a.scale + b.scale)


def _subtract(a: PointValue, b: PointValue, arithmetic: Arithmetic) -> PointValue:
    return PointValue(a.value - b.value, a.scale + b.scale)


def _multiply(a: PointValue, b: PointValue, arithmetic: Arithmetic) -> PointValue:
    return PointValue(a.value * b.value, a.scale * abs(b.value) + abs(a.value) * b.scale)


def _divide(a: PointValue, b: PointValue, arithmetic: Arithmetic) -> PointValue:
    if b.value == 0:
        raise Undefined("divides by zero")
    value = a.value / b.value
    scale = a.scale / abs(b.value) + abs(value) * b.scale / abs(b.value)
    return PointValue(value, _at_least(abs(value), scale, arithmetic))


def _power(a: PointValue, b: PointValue, arithmetic: Arithmetic) -> PointValue:
    if a.value == 0 and b.value < 0:
        raise Undefined("divides by zero")
    if a.value < 0 and not arithmetic.is_integer(b.value):
        raise Undefined("raises a negative number to a fractional power")
    value = arithmetic.power(a.value, b.value)
    try:
        from_base = abs(b.value * arithmetic.power(a.value, b.value - 1.0)) * a.scale
        logarithm = arithmetic.functions["ln"](abs(a.value)) if a.value else 0.0
        scale = from_base + abs(value * logarithm) * b.scale
    except (ArithmeticError, ValueError):
        scale = abs(value)
    return PointValue(value, _at_least(abs(value), scale, arithmetic))


_BINARY: dict[str, Callable[[PointValue, PointValue, Arithmetic], PointValue]] = {
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


def _attempt(node: Node, point: Point, arithmetic: Arithmetic) -> PointValue | Undefined:
    try:
        return evaluate_in(node, point, arithmetic)
    except Undefined as failure:
        return failure


def _values_at(
    answer: Node, expected: Node, point: Point
) -> tuple[PointValue | Undefined, PointValue | Undefined, bool]:
    """The expected and the answer's values at ``point`` (or why each is undefined there): in
    floats, or both in wide numbers when either fails in floats; and whether the answer
    overflowed floats where the expected formula did not."""
    want = _attempt(expected, point, FLOATS)
    got = _attempt(answer, point, FLOATS)
    if isinstance(want, PointValue) and isinstance(got, PointValue):
        return want, got, False
    overflowed = isinstance(want, PointValue) and isinstance(got, Undefined)
    overflowed = overflowed and got.reason == TOO_LARGE
    wide = wide_arithmetic()
    return _attempt(expected, point, wide), _attempt(answer, point, wide), overflowed


@dataclass(frozen=True)
class Comparison:
    """How an answer compared with an expected formula over a set of points.

    ``failures`` counts the points where the expected formula is defined but the answer is
    not; ``reason`` says why the answer failed at the first of them. ``overflows`` counts the
    points where the answer overflowed floats and the expected formula did not (whatever the
    wide numbers then gave).
    """

    outcome: Agreement
    expected_defined: int = 0
    failures: int = 0
    reason: str = ""
    overflows: int = 0

    @property
    def overflowed_everywhere(self) -> bool:
        """The answer overflowed floats at every point where the expected formula is defined
        (MIN_VALID_POINTS or more), and the expected formula never did."""
        return self.overflows == self.expected_defined >= MIN_VALID_POINTS


def compare(
    answer: Node, expected: Node, points: Sequence[Point], factor: float = 1.0
) -> Comparison:
    """Compare ``answer`` with ``factor * expected`` at ``points``.

    At a point where either formula fails in floats, both are evaluated again in wide numbers
    and compared there (an equivalent form may overflow where the expected one does not); a
    formula that fails there too is undefined at that point. "differ" when they disagree where
    both are defined; "undefined" when the answer cannot be evaluated at some point where the
    expected formula can (which is defined at MIN_VALID_POINTS or more) — a division by zero,
    a root or logarithm of a negative number, a value past the wide numbers' cap; "agree" when
    they agree at MIN_VALID_POINTS or more points; otherwise "undecided".
    """
    compared = expected_defined = failures = overflows = 0
    differs = False
    reason = ""
    for point in points:
        want, got, overflowed = _values_at(answer, expected, point)
        if isinstance(want, Undefined):
            continue
        expected_defined += 1
        overflows += overflowed
        if isinstance(got, Undefined):
            failures += 1
            reason = reason or got.reason
            continue
        compared += 1
        scaled = PointValue(factor * want.value, abs(factor) * want.scale)
        differs = differs or not values_agree(got, scaled)
        if differs and overflows < expected_defined:
            # The answer did not overflow at every point: no later point changes the result.
            return Comparison("differ", expected_defined, failures, reason, overflows)
    if differs:
        outcome: Agreement = "differ"
    elif failures and expected_defined >= MIN_VALID_POINTS:
        outcome = "undefined"
    elif compared >= MIN_VALID_POINTS:
        outcome = "agree"
    else:
        outcome = "undecided"
    return Comparison(outcome, expected_defined, failures, reason, overflows)


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

"""Formula arithmetic with a far wider exponent range than floats, for points where floats fail.

``1/(1+exp(-x))`` and ``exp(x)/(1+exp(x))`` are the same function, but at x = 800 the second
overflows in floats. Evaluated here it is an ordinary number, so it can be compared. Numbers
are mpmath numbers with a float's 53-bit precision and a binary exponent capped at
±MAX_BINARY_EXPONENT (values up to about 10^(3.2e8)). The functions behave like ``math``'s:
ValueError outside their domain, OverflowError past the cap, and 0 below it (as a float
underflows). The cap is checked before anything is computed, so ``exp(exp(exp(exp(x))))``
or ``10^10^10^x`` fail at once instead of taking time and memory.

mpmath comes with sympy; this module is imported only when floats fail at some point. The
context's precision is set once and never changed, so threads can share it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath

PRECISION_BITS = 53
MAX_BINARY_EXPONENT = 2**30
MAX_ANGLE_BINARY_EXPONENT = 1024  # as for floats: sin(x) for |x| below 2^1024
# |x| past which tanh(x) rounds to ±1 at 53 bits (1 - tanh(64) is about 5e-56).
_TANH_SATURATES = 64

_CONTEXT = mpmath.MPContext()
_CONTEXT.prec = PRECISION_BITS
# The largest |x| whose exp(x) stays within the cap; a float is precise enough for a bound.
_EXP_LIMIT = MAX_BINARY_EXPONENT * math.log(2.0)

Wide = Any  # an mpmath number (mpf) of _CONTEXT


def number(value: float) -> Wide:
    """``value`` as a wide number (exactly: a float has 53 bits)."""
    return _CONTEXT.mpf(value)


def is_integer(value: Wide) -> bool:
    """Whether ``value`` is a whole number."""
    return bool(_CONTEXT.isint(value))


def is_finite(value: Wide) -> bool:
    """Finite, and 0 or of magnitude below 2**MAX_BINARY_EXPONENT."""
    if not _CONTEXT.isfinite(value):
        return False
    return value == 0 or _CONTEXT.mag(value) <= MAX_BINARY_EXPONENT


def _checked(value: Wide) -> Wide:
    if not is_finite(value):
        raise OverflowError("the value passes the exponent cap")
    return value


def exp(x: Wide) -> Wide:
    """e^x; OverflowError past the cap, 0 below it."""
    if x > _EXP_LIMIT:
        raise OverflowError("exp would pass the exponent cap")
    if x < -_EXP_LIMIT:
        return _CONTEXT.zero
    return _CONTEXT.exp(x)


def _hyperbolic(function: Callable[[Wide], Wide]) -> Callable[[Wide], Wide]:
    def bounded(x: Wide) -> Wide:
        if abs(x) > _EXP_LIMIT:
            raise OverflowError("the value would pass the exponent cap")
        return function(x)

    return bounded


def tanh(x: Wide) -> Wide:
    """tanh(x), ±1 where it saturates (mpmath is slow for huge arguments)."""
    if abs(x) > _TANH_SATURATES:
        return _CONTEXT.sign(x) * _CONTEXT.one
    return _CONTEXT.tanh(x)


def sech(x: Wide) -> Wide:
    """1/cosh(x), written so that it never overflows: 2e^-|x| / (1 + e^-2|x|)."""
    decay = exp(-abs(x))
    return 2 * decay / (1 + decay * decay)


def sigmoid(x: Wide) -> Wide:
    """1/(1 + e^-x), written so that it never overflows."""
    if x >= 0:
        return 1 / (1 + exp(-x))
    growth = exp(x)
    return growth / (1 + growth)


def sqrt(x: Wide) -> Wide:
    """√x; ValueError for x < 0."""
    if x < 0:
        raise ValueError("square root of a negative number")
    return _CONTEXT.sqrt(x)


def ln(x: Wide) -> Wide:
    """Natural logarithm; ValueError for x <= 0."""
    if x <= 0:
        raise ValueError("logarithm of zero or of a negative number")
    return _CONTEXT.ln(x)


def _angle(function: Callable[[Wide], Wide]) -> Callable[[Wide], Wide]:
    def bounded(x: Wide) -> Wide:
        if x != 0 and _CONTEXT.mag(x) > MAX_ANGLE_BINARY_EXPONENT:
            raise OverflowError("the angle is too large to reduce")
        return function(x)

    return bounded


def power(base: Wide, exponent: Wide) -> Wide:
    """base^exponent like ``math.pow``: ValueError for 0 to a negative power and for a negative
    base with a fractional exponent; OverflowError past the cap, 0 below it."""
    if base == 0:
        if exponent < 0:
            raise ValueError("zero to a negative power")
        return _CONTEXT.one if exponent == 0 else _CONTEXT.zero
    whole = is_integer(exponent)
    if base < 0 and not whole:
        raise ValueError("negative number to a fractional power")
    odd = whole and _CONTEXT.mag(exponent) <= PRECISION_BITS and int(exponent) % 2 == 1
    sign = -1 if base < 0 and odd else 1
    if abs(base) == 1:
        return sign * _CONTEXT.one
    binary_exponent = exponent * _CONTEXT.ln(abs(base)) / _CONTEXT.ln2
    if binary_exponent > MAX_BINARY_EXPONENT:
        raise OverflowError("the power would pass the exponent cap")
    if binary_exponent < -MAX_BINARY_EXPONENT:
        return _CONTEXT.zero
    return _checked(sign * abs(base) ** exponent)


FUNCTIONS: dict[str, Callable[[Wide], Wide]] = {
    "sqrt": sqrt,
    "exp": exp,
    "ln": ln,
    "log": ln,
    "log10": lambda x: ln(x) / _CONTEXT.ln10,
    "log2": lambda x: ln(x) / _CONTEXT.ln2,
    "sin": _angle(_CONTEXT.sin),
    "cos": _angle(_CONTEXT.cos),
    "tan": _angle(_CONTEXT.tan),
    "tanh": tanh,
    "sinh": _hyperbolic(_CONTEXT.sinh),
    "cosh": _hyperbolic(_CONTEXT.cosh),
    "sech": sech,
    "sigmoid": sigmoid,
    "abs": abs,
}

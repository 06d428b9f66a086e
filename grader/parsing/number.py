"""Reading one number: decimals, scientific notation, percentages and exact expressions."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from grader.errors import AnswerFormatError
from grader.parsing.expression import evaluate_constant, normalise_symbols, parse_expression

MAX_NUMBER_LENGTH = 200

_PLAIN = re.compile(
    r"(?P<sign>[+-]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?"
    r"(?:(?:[eE]|\s*\*\s*10\s*(?:\^|\*\*)\s*)(?P<exp>[+-]?\d+))?"
)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")


@dataclass(frozen=True)
class ParsedNumber:
    """A number as the student wrote it.

    ``decimals`` and ``sig_figs`` describe the written precision of a plain decimal
    (``0.190`` → 3 decimals, 3 significant figures); they are ``None`` for exact expressions
    such as ``55/294``. ``integer_literal`` is true when written without a point or exponent.
    """

    value: float
    decimals: int | None = None
    sig_figs: int | None = None
    integer_literal: bool = False


def _written_precision(integer: str, fraction: str, exponent: int) -> tuple[int, int]:
    digits = (integer + fraction).lstrip("0")
    sig_figs = max(len(digits), 1)
    return len(fraction) - exponent, sig_figs


def _parse_plain(text: str) -> ParsedNumber | None:
    match = _PLAIN.fullmatch(text)
    if match is None or not (match.group("int") or match.group("frac")):
        return None
    integer, fraction = match.group("int"), match.group("frac") or ""
    exponent = int(match.group("exp") or 0)
    if abs(exponent) > 400:
        raise AnswerFormatError("the exponent is too large to work with")
    value = float(f"{match.group('sign')}{integer or '0'}.{fraction or '0'}e{exponent}")
    decimals, sig_figs = _written_precision(integer, fraction, exponent)
    is_integer_literal = match.group("frac") is None and match.group("exp") is None
    return ParsedNumber(value, decimals, sig_figs, is_integer_literal)


def _finite(number: ParsedNumber) -> ParsedNumber:
    if not math.isfinite(number.value):
        raise AnswerFormatError("the answer must be a finite number, not NaN or infinity")
    return number


def parse_number(raw: str) -> ParsedNumber:
    """Read one real number; raises AnswerFormatError saying what is wrong and what to write."""
    text = normalise_symbols(raw).strip()
    if not text:
        raise AnswerFormatError("the answer is empty; enter a number such as 0.81 or 55/294")
    if len(text) > MAX_NUMBER_LENGTH:
        raise AnswerFormatError(
            f"the answer is longer than {MAX_NUMBER_LENGTH} characters; enter a single number"
        )
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise AnswerFormatError("the answer must be a finite number, not NaN or infinity")
    if text.endswith("%"):
        percent = parse_number(text[:-1])
        decimals = None if percent.decimals is None else percent.decimals + 2
        return _finite(ParsedNumber(percent.value / 100.0, decimals, percent.sig_figs))
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    plain = _parse_plain(text)
    if plain is not None:
        return _finite(plain)
    if "," in text or ";" in text:
        raise AnswerFormatError("enter a single number here, not a list of numbers")
    return ParsedNumber(evaluate_constant(parse_expression(text)))

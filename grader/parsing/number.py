"""Reading one number: decimals, grouped digits, scientific notation, percentages, expressions.

Digits before the decimal point may be grouped in threes with commas (``16,941,456``) or with
spaces (``16 941 456``; a plain, no-break, thin or narrow no-break space). A comma that cannot
be grouping (``0,25``, ``3,14``, ``0,250``) is a decimal comma: a format error that asks for a
decimal point, unless the part accepts decimal commas. A single comma followed by three digits
(``1,250``) is ambiguous in a ``number`` part — 1250 or 1.250 — and a format error there;
``integer`` parts read it as grouping. See docs/marking.md for the whole table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from grader.errors import AnswerFormatError
from grader.parsing.expression import evaluate_constant, normalise_symbols, parse_expression

MAX_NUMBER_LENGTH = 200

_PLAIN = re.compile(
    r"(?P<sign>[+-]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?"
    r"(?:(?:[eE]|\s*\*\s*10\s*(?:\^|\*\*)\s*)(?P<exp>[+-]?\d+))?"
)
_SPACES = " \u00a0\u2009\u202f"
_GROUPED = re.compile(rf"(?P<sign>[+-]?)(?P<runs>\d+(?:[,{_SPACES}]\d+)+)(?P<rest>.*)", re.DOTALL)
_RUN_SEPARATOR = re.compile(rf"[,{_SPACES}]")
# Where a comma is the decimal mark, a point before exactly three digits may group thousands.
_POINT_GROUPING = re.compile(r"(?<![\d.])([+-]?)([1-9]\d{0,2})\.(\d{3})(?![\d.])")


@dataclass(frozen=True)
class ParsedNumber:
    """A number as the student wrote it.

    ``decimals`` and ``sig_figs`` describe the written precision of a plain decimal
    (``0.190`` → 3 decimals, 3 significant figures); they are ``None`` for exact expressions
    such as ``55/294``. ``integer_literal`` is true when written without a point or exponent.
    ``fraction_digits`` counts the digits written after the point of the mantissa (``0.00e2``
    → 2), whatever the exponent or a ``%`` does to ``decimals``.
    """

    value: float
    decimals: int | None = None
    sig_figs: int | None = None
    integer_literal: bool = False
    fraction_digits: int | None = None


@dataclass(frozen=True)
class Notation:
    """How a part reads the notations that depend on what it asks for.

    ``percent_is_unit``: the part asks for a percentage, so ``42.5%`` is 42.5 (else 0.425).
    ``decimal_comma``: a comma is a decimal comma (``0,25`` is 0.25) and never groups digits.
    ``whole``: the part asks for a whole number, so ``1,250`` can only be 1250.
    """

    percent_is_unit: bool = False
    decimal_comma: bool = False
    whole: bool = False


PLAIN_NOTATION = Notation()


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
    return ParsedNumber(value, decimals, sig_figs, is_integer_literal, len(fraction))


def _finite(number: ParsedNumber) -> ParsedNumber:
    if not math.isfinite(number.value):
        raise AnswerFormatError("the answer must be a finite number, not NaN or infinity")
    return number


def _in_threes(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def _is_grouping(groups: list[str]) -> bool:
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and not first.startswith("0") and all(len(g) == 3 for g in rest)


def _read_decimal_comma(text: str, suffix: str) -> str:
    """The text with its one decimal comma made a point (a part that accepts decimal commas)."""
    commas = text.count(",")
    if commas == 0:
        point_grouping = _POINT_GROUPING.search(text)
        if point_grouping is not None:
            sign, head, tail = point_grouping.groups()
            written = f"{sign}{head}.{tail}"
            whole, decimal = f"{sign}{head}{tail}", f"{sign}{head},{tail}"
            raise AnswerFormatError(
                f"{written} could mean {whole} (a point grouping thousands) or {decimal}; "
                f"write it without the point ({whole}) or with a decimal comma ({decimal})"
            )
        return text
    if commas > 1:
        raise AnswerFormatError(
            "a number has at most one decimal comma; group thousands with spaces "
            f"(16 941 456{suffix}) or not at all"
        )
    if "." in text:
        raise AnswerFormatError(
            "use a decimal comma or a decimal point, not both; group thousands with spaces "
            f"(1 234,5{suffix}) or not at all"
        )
    return text.replace(",", ".")


def _ungrouped(text: str, notation: Notation, suffix: str) -> str:
    """The text with digit grouping removed; raises AnswerFormatError when grouping is wrong.

    ``suffix`` (a ``%`` sign) is only echoed in the suggestions of the messages.
    """
    match = _GROUPED.fullmatch(text)
    if match is None:
        return text
    sign, runs, rest = match.group("sign"), match.group("runs"), match.group("rest")
    groups = _RUN_SEPARATOR.split(runs)
    digits = "".join(groups)
    tail = rest + suffix if _PLAIN.fullmatch("0" + rest) else ""
    shown = digits.lstrip("0") or "0"
    plain = f"{sign}{shown}{tail}"
    if "," not in runs:
        if _is_grouping(groups):
            return sign + digits + rest
        grouped = f"{sign}{_in_threes(shown, ' ')}{tail}"
        better = plain if grouped == plain else f"{plain}, or grouped in threes {grouped}"
        raise AnswerFormatError(
            f"spaces may only group digits in threes (16 941 456); enter a single number: {better}"
        )
    if any(char in _SPACES for char in runs):
        head, comma, last = runs.rpartition(",")
        if comma and not any(char in _SPACES for char in last) and len(last) != 3:
            decimal = f"{sign}{head}.{last}{tail}"
            raise AnswerFormatError(f"use a decimal point, not a decimal comma: {decimal}")
        raise AnswerFormatError(
            f"group digits with commas or with spaces, not both, or not at all: {plain}"
        )
    if len(groups) == 2 and not _is_grouping(groups):
        if "." in rest:
            raise AnswerFormatError("enter a single number here, not a list of numbers")
        decimal = f"{sign}{groups[0]}.{groups[1]}{tail}"
        raise AnswerFormatError(f"use a decimal point, not a decimal comma: {decimal}")
    if len(groups) == 2 and "." not in rest and not notation.whole:
        decimal = f"{sign}{groups[0]}.{groups[1]}{tail}"
        raise AnswerFormatError(
            f"{sign}{runs}{tail} could mean {plain} or {decimal}; write it without the comma "
            f"({plain}) or with a decimal point ({decimal})"
        )
    if not _is_grouping(groups):
        raise AnswerFormatError(
            "enter a single number here, not a list of numbers; commas may only group digits in "
            f"threes (16,941,456), or write {plain} without commas"
        )
    return sign + digits + rest


def parse_number(raw: str, notation: Notation = PLAIN_NOTATION) -> ParsedNumber:
    """Read one real number; raises AnswerFormatError saying what is wrong and what to write.

    ``notation`` says how the part reads percentages and commas (default: ``42.5%`` is 0.425,
    commas group digits or are refused as decimal commas).
    """
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
        percent = _parse_body(text[:-1].rstrip(), notation, "%")
        if notation.percent_is_unit:
            return _finite(replace(percent, integer_literal=False))
        decimals = None if percent.decimals is None else percent.decimals + 2
        return _finite(
            replace(percent, value=percent.value / 100.0, decimals=decimals, integer_literal=False)
        )
    return _parse_body(text, notation, "")


def _parse_body(text: str, notation: Notation, suffix: str) -> ParsedNumber:
    if not text:
        raise AnswerFormatError("the answer is empty; enter a number such as 0.81 or 55/294")
    if notation.decimal_comma:
        text = _read_decimal_comma(text, suffix)
    text = _ungrouped(text, notation, suffix)
    plain = _parse_plain(text)
    if plain is not None:
        return _finite(plain)
    if "," in text or ";" in text:
        raise AnswerFormatError("enter a single number here, not a list of numbers")
    return _finite(ParsedNumber(evaluate_constant(parse_expression(text))))

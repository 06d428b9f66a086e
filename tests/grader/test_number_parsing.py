import math
import re

import pytest

from grader.errors import AnswerFormatError
from grader.parsing.expression import evaluate, parse_expression
from grader.parsing.number import MAX_NUMBER_LENGTH, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.81", 0.81),
        ("-4.7", -4.7),
        ("  3534 ", 3534.0),
        ("1.2e-3", 1.2e-3),
        ("1.2E3", 1200.0),
        ("3.2×10^-4", 3.2e-4),
        ("3.2*10**-4", 3.2e-4),
        ("3.2 · 10^-4", 3.2e-4),
        ("−0.9589", -0.9589),
        ("16,941,456", 16941456.0),
        ("18.7%", 0.187),
        (".5", 0.5),
        ("55/294", 55 / 294),
        ("1/6 + 1/49", 1 / 6 + 1 / 49),
        ("sqrt(2)/2", math.sqrt(2) / 2),
        ("2*pi", 2 * math.pi),
        ("2pi", 2 * math.pi),
        ("e^-1", math.exp(-1)),
        ("-2^2", -4.0),
        ("(1+2)(3)", 9.0),
        ("ln(0.19)", math.log(0.19)),
    ],
)
def test_reads_every_number_form(text, value):
    assert parse_number(text).value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "decimals", "sig_figs"),
    [("0.190", 3, 3), ("-0.9589", 4, 4), ("1.2e-3", 4, 2), ("45", 0, 2), ("18.7%", 3, 3)],
)
def test_records_written_precision(text, decimals, sig_figs):
    number = parse_number(text)
    assert (number.decimals, number.sig_figs) == (decimals, sig_figs)


def test_expressions_have_no_written_precision():
    assert parse_number("55/294").decimals is None


def test_integer_literal_is_told_apart_from_a_float_literal():
    assert parse_number("3").integer_literal
    assert not parse_number("3.").integer_literal
    assert not parse_number("3e0").integer_literal


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("nan", "finite"),
        ("-inf", "finite"),
        ("1e400", "finite"),
        ("10^10^10", "too large"),
        ("1/0", "divides by zero"),
        ("sqrt(-1)", "cannot be evaluated"),
        ("1, 2", "single number"),
        ("1 2", "unexpected '2'"),
        ("foo", "unknown name 'foo'"),
        ("sqrt 2", "brackets"),
        ("(1+2", "not closed"),
        ("2 $ 3", "character '$'"),
        ("__import__('os')", "cannot be used"),
        ("__import__", "unknown name"),
        ("1" * (MAX_NUMBER_LENGTH + 1), "longer than"),
        ("(" * 60 + "1" + ")" * 60, "nested too deeply"),
    ],
)
def test_unreadable_numbers_say_why(text, fragment):
    with pytest.raises(AnswerFormatError, match=re.escape(fragment)):
        parse_number(text)


def test_formula_variables_are_only_the_allowed_names():
    node = parse_expression("(sqrt(k)-1)/(sqrt(k)+1)", frozenset({"k"}))
    assert evaluate(node, {"k": 4.0}) == pytest.approx(1 / 3)
    with pytest.raises(AnswerFormatError, match="unknown name 'M'"):
        parse_expression("M/2 + 1", frozenset({"k"}))

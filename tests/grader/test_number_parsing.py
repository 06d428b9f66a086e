import math
import re

import pytest

from grader.errors import AnswerFormatError
from grader.parsing.expression import evaluate, parse_expression
from grader.parsing.number import MAX_NUMBER_LENGTH, Notation, parse_number


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
        ("1 2", "only group digits in threes"),
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


WHOLE = Notation(whole=True)
DECIMAL_COMMA = Notation(decimal_comma=True)
PERCENT_ASKED = Notation(percent_is_unit=True)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("0,250", "0.250"),
        ("0,25", "0.25"),
        ("-0,5", "-0.5"),
        ("3,14", "3.14"),
        ("12,5", "12.5"),
        ("1250,5", "1250.5"),
        ("12,5%", "12.5%"),
        ("0,250e-3", "0.250e-3"),
    ],
)
def test_a_comma_that_cannot_group_digits_is_a_decimal_comma_and_a_format_error(text, suggestion):
    for notation in (Notation(), WHOLE):
        with pytest.raises(AnswerFormatError) as error:
            parse_number(text, notation)
        assert str(error.value) == f"use a decimal point, not a decimal comma: {suggestion}"


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,25", 0.25), ("0,250", 0.25), ("1,250", 1.25), ("-3,14", -3.14), ("12,5%", 0.125)],
)
def test_a_part_that_accepts_decimal_commas_reads_them(text, value):
    assert parse_number(text, DECIMAL_COMMA).value == pytest.approx(value, rel=1e-15)


def test_with_decimal_commas_spaces_still_group_digits():
    assert parse_number("1 234,5", DECIMAL_COMMA).value == 1234.5
    assert parse_number("0.25", DECIMAL_COMMA).value == 0.25


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("16,941,456", "at most one decimal comma"), ("1.234,5", "not both")],
)
def test_with_decimal_commas_a_comma_never_groups_digits(text, fragment):
    with pytest.raises(AnswerFormatError, match=re.escape(fragment)):
        parse_number(text, DECIMAL_COMMA)


@pytest.mark.parametrize("text", ["1,250", "-1,250", "125,000", "1,000e3"])
def test_one_comma_before_three_digits_is_ambiguous_in_a_number(text):
    with pytest.raises(AnswerFormatError, match="could mean") as error:
        parse_number(text)
    assert "without the comma" in str(error.value) and "decimal point" in str(error.value)


def test_the_ambiguity_message_names_both_readings():
    with pytest.raises(AnswerFormatError) as error:
        parse_number("1,250")
    assert str(error.value) == (
        "1,250 could mean 1250 or 1.250; write it without the comma (1250) or with a decimal "
        "point (1.250)"
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,250", 1250.0), ("320,128", 320128.0), ("-1,250", -1250.0), ("16,941,456", 16941456.0)],
)
def test_a_whole_number_part_reads_one_comma_as_grouping(text, value):
    assert parse_number(text, WHOLE).value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("16,941,456", 16941456.0), ("1,250.5", 1250.5), ("1,234,567.25", 1234567.25)],
)
def test_comma_grouping_that_cannot_be_a_decimal_comma_is_read_in_a_number(text, value):
    assert parse_number(text).value == value


@pytest.mark.parametrize(
    "text",
    [
        "16 941 456",
        "16\u2009941\u2009456",
        "16\u202f941\u202f456",
        "16\u00a0941\u00a0456",
        "16\u2009941 456",
    ],
)
def test_space_grouping_of_digits_is_read_in_numbers_and_whole_numbers(text):
    for notation in (Notation(), WHOLE):
        number = parse_number(text, notation)
        assert (number.value, number.integer_literal) == (16941456.0, True)


def test_space_grouping_keeps_a_decimal_fraction_and_written_precision():
    number = parse_number("1 234.50")
    assert (number.value, number.decimals, number.sig_figs) == (1234.5, 2, 6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "16 94 1456",
            "spaces may only group digits in threes (16 941 456); enter a single number: "
            "16941456, or grouped in threes 16 941 456",
        ),
        (
            "0 250",
            "spaces may only group digits in threes (16 941 456); enter a single number: 250",
        ),
        (
            "1,25,000",
            "enter a single number here, not a list of numbers; commas may only group digits in "
            "threes (16,941,456), or write 125000 without commas",
        ),
        (
            "1,234 567",
            "group digits with commas or with spaces, not both, or not at all: 1234567",
        ),
    ],
)
def test_inconsistent_grouping_is_a_format_error_that_says_how_to_write_it(text, message):
    for notation in (Notation(), WHOLE):
        with pytest.raises(AnswerFormatError) as error:
            parse_number(text, notation)
        assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "value", "decimals"), [("42.5%", 42.5, 1), ("75%", 75.0, 0), ("7.5 %", 7.5, 1)]
)
def test_percent_sign_is_the_unit_when_a_percentage_is_asked(text, value, decimals):
    number = parse_number(text, PERCENT_ASKED)
    assert (number.value, number.decimals) == (value, decimals)


@pytest.mark.parametrize(("text", "value"), [("42.5%", 0.425), ("75%", 0.75)])
def test_percent_sign_means_hundredths_when_a_fraction_is_asked(text, value):
    assert parse_number(text).value == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize(
    ("written", "ascii_spelling"),
    [
        ("００", "00"),
        ("０2", "02"),
        ("-０1", "-01"),
        (".０5", ".05"),
        ("١٢٣", "123"),
        ("１.５０", "1.50"),
    ],
)
def test_digits_of_every_script_are_read_and_counted_like_ascii_digits(written, ascii_spelling):
    """A full-width or Arabic-Indic zero is a zero: it is not a significant figure."""
    assert parse_number(written) == parse_number(ascii_spelling)


def test_digits_of_every_script_are_grouped_like_ascii_digits():
    with pytest.raises(AnswerFormatError, match="use a decimal point"):
        parse_number("０,250", Notation(whole=True))
    with pytest.raises(AnswerFormatError, match="spaces may only group digits in threes"):
        parse_number("０ 250")


@pytest.mark.parametrize(
    "written",
    [
        "1.250",
        "12.500",
        "-1.250",
        "1.250%",
        "(1.250)",
        "1.250e0",
        "1.250×10^0",
        "1.250*1",
        "-(1.250)",
    ],
)
def test_a_point_that_could_group_thousands_is_ambiguous_where_commas_are_decimal(written):
    with pytest.raises(AnswerFormatError, match="could mean .* or .*,"):
        parse_number(written, Notation(decimal_comma=True))


@pytest.mark.parametrize(
    ("written", "value"), [("1.25", 1.25), ("0.250", 0.25), ("1250.5", 1250.5)]
)
def test_other_decimal_points_are_read_where_commas_are_decimal(written, value):
    assert parse_number(written, Notation(decimal_comma=True)).value == value


@pytest.mark.parametrize(
    ("written", "decimal"), [("1 234,5", "1 234.5"), ("12 345,67", "12 345.67")]
)
def test_a_decimal_comma_after_spaced_groups_is_shown_with_a_point(written, decimal):
    with pytest.raises(
        AnswerFormatError, match=f"use a decimal point, not a decimal comma: {decimal}$"
    ):
        parse_number(written)

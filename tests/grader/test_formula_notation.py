"""What students may type in formulas and exact numbers: the root sign, implicit products, e."""

import math
import re

import pytest

from grader import PartSpec, Reference, check_format, mark_part
from grader.errors import AnswerFormatError
from grader.parsing.expression import evaluate, parse_expression
from grader.parsing.number import parse_number

NAMES = frozenset({"x", "y", "a", "b", "c"})
AT = {"x": 2.0, "y": 3.0, "a": 1.5, "b": 2.5, "c": 0.5}


def value(text):
    return evaluate(parse_expression(text, NAMES), AT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("√x", math.sqrt(2)),
        ("√2", math.sqrt(2)),
        ("√(x+1)", math.sqrt(3)),
        ("2√x", 2 * math.sqrt(2)),
        ("√x/2", math.sqrt(2) / 2),
        ("x√y", 2 * math.sqrt(3)),
        ("√√x", 2**0.25),
        ("√sin(x)", math.sqrt(math.sin(2))),
        ("√pi", math.sqrt(math.pi)),
        ("-√x", -math.sqrt(2)),
        ("e^√x", math.exp(math.sqrt(2))),
        ("1/√x", 1 / math.sqrt(2)),
        ("(√x)y", math.sqrt(2) * 3),
        ("√(2x)", 2.0),
        ("(√2)x", math.sqrt(2) * 2),
        ("√(x^2)", 2.0),
        ("(√x)^2", 2.0),
    ],
)
def test_the_root_sign_applies_to_the_next_atom(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-12)


def test_a_signed_root_operand_is_written_in_brackets():
    assert evaluate(parse_expression("√(-x)", NAMES), {"x": -4.0}) == 2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("√2x", "'√2x' is ambiguous: write √(2x) or (√2)x"),
        ("√2 x", "'√2 x' is ambiguous: write √(2x) or (√2)x"),
        ("√x(x+1)", "'√x(x+1)' is ambiguous: write √(x(x+1)) or (√x)(x+1)"),
        ("√(x+1)(x-1)", "'√(x+1)(x-1)' is ambiguous: write √((x+1)(x-1)) or (√(x+1))(x-1)"),
        ("√x√y", "'√x√y' is ambiguous: write √(x√y) or (√x)√y"),
        ("√2pi", "'√2pi' is ambiguous: write √(2pi) or (√2)pi"),
        ("√-x", "'√-x' is ambiguous: write √(-x) or -√x"),
        ("√x^2", "'√x^2' is ambiguous: write √(x^2) or (√x)^2"),
        ("√x**2", "'√x**2' is ambiguous: write √(x**2) or (√x)**2"),
        ("1/2x", "'1/2x' is ambiguous: write 1/(2x) or (1/2)x"),
        ("1/2(x+1)", "'1/2(x+1)' is ambiguous: write 1/(2(x+1)) or (1/2)(x+1)"),
        ("x/2y", "'x/2y' is ambiguous: write x/(2y) or (x/2)y"),
        ("-1/2x", "'-1/2x' is ambiguous: write -1/(2x) or (-1/2)x"),
        ("a*b/2x", "'a*b/2x' is ambiguous: write a*b/(2x) or (a*b/2)x"),
        ("1/x(x+1)", "'1/x(x+1)' is ambiguous: write 1/(x(x+1)) or (1/x)(x+1)"),
        ("3/4√x", "'3/4√x' is ambiguous: write 3/(4√x) or (3/4)√x"),
        ("y + 1/2pi", "'1/2pi' is ambiguous: write 1/(2pi) or (1/2)pi"),
        ("e^2x", "'e^2x' is ambiguous: write e^(2x) or (e^2)x"),
        ("e^-2x", "'e^-2x' is ambiguous: write e^(-2x) or (e^-2)x"),
        ("2x^2y", "'x^2y' is ambiguous: write x^(2y) or (x^2)y"),
        ("x^2(x+1)", "'x^2(x+1)' is ambiguous: write x^(2(x+1)) or (x^2)(x+1)"),
        ("a/bc", "unknown name 'bc'"),
        ("a/bc", "Write b*c for a product"),
        ("xy", "Write x*y for a product"),
        ("sqrtx", "Write sqrt(x) to apply sqrt"),
        ("√", "ends too early"),
    ],
)
def test_what_could_be_read_two_ways_asks_for_brackets(text, message):
    with pytest.raises(AnswerFormatError, match=re.escape(message)):
        parse_expression(text, NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x", 4.0),
        ("2pi", 2 * math.pi),
        ("(a+1)(a-1)", 1.25),
        ("2x/3", 4 / 3),
        ("1/(2x)", 0.25),
        ("(1/2)x", 1.0),
        ("1/2*x", 1.0),
        ("1/2*3x", 3.0),
        ("2x^2", 8.0),
        ("x^(2)y", 12.0),
        ("(x^2)y", 12.0),
        ("x^2*y", 12.0),
        ("2^3^2", 512.0),
        ("sqrt(2)x", 2 * math.sqrt(2)),
        ("x(x+1)", 6.0),
        ("pi(x+1)", 3 * math.pi),
        ("(x+1)2", 6.0),
        ("e^-1", math.exp(-1)),
    ],
)
def test_unambiguous_implicit_products_still_work(text, expected):
    assert value(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("√2", math.sqrt(2)),
        ("√2/2", math.sqrt(2) / 2),
        ("2√2", 2 * math.sqrt(2)),
        ("√(1/2)", math.sqrt(0.5)),
        ("√√16", 2.0),
        ("1/√2", 1 / math.sqrt(2)),
    ],
)
def test_number_answers_accept_the_root_sign(text, expected):
    assert parse_number(text).value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1/2pi", "'1/2pi' is ambiguous: write 1/(2pi) or (1/2)pi"),
        ("1/2√2", "'1/2√2' is ambiguous: write 1/(2√2) or (1/2)√2"),
        ("√2pi", "'√2pi' is ambiguous: write √(2pi) or (√2)pi"),
        ("√-4", "'√-4' is ambiguous: write √(-4) or -√4"),
        ("√(-4)", "cannot be evaluated"),
    ],
)
def test_ambiguous_number_answers_are_format_errors(text, message):
    with pytest.raises(AnswerFormatError, match=re.escape(message)):
        parse_number(text)


def test_an_ambiguous_number_answer_costs_nothing():
    part = PartSpec("J", "number", 2.0, {"tolerance": {"rel": 0.01}})
    result = mark_part(part, Reference(exact={"J": 1 / (2 * math.pi)}), "1/2pi")
    assert result.status == "format_error" and result.score == 0
    assert "write 1/(2pi) or (1/2)pi" in result.feedback
    assert mark_part(part, Reference(exact={"J": math.sqrt(2)}), "√2").status == "correct"


def test_an_ambiguous_formula_is_a_format_error_naming_both_readings():
    part = PartSpec("f", "formula", 2.0, {"variables": ["x"]})
    errors = check_format([part], {"f": "1/2x"})
    assert errors == {"f": "'1/2x' is ambiguous: write 1/(2x) or (1/2)x"}
    result = mark_part(part, Reference(exact={"f": "1/(2*x)"}), "1/2x")
    assert result.status == "format_error" and result.score == 0
    assert mark_part(part, Reference(exact={"f": "1/(2*x)"}), "1/(2x)").status == "correct"


@pytest.mark.parametrize("answer", ["√x", "x^0.5", "sqrt(x)", "x/√x", "√(x^2)/√x"])
def test_root_sign_formulas_are_marked_like_sqrt(answer):
    part = PartSpec("f", "formula", 1.0, {"variables": ["x"]})
    assert mark_part(part, Reference(exact={"f": "sqrt(x)"}), answer).status == "correct"


def formula(text, names=NAMES):
    return parse_expression(text, names, exponent_notation=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2e-1",
            "'2e-1' is ambiguous: write 2*e - 1 for the constant e, or 2*10^-1 for a power of ten",
        ),
        (
            "2e-x",
            "'2e-x' is ambiguous: write 2*e - x for the constant e, or 2*10^-x for a power of ten",
        ),
        (
            "2e+1",
            "'2e+1' is ambiguous: write 2*e + 1 for the constant e, or 2*10^1 for a power of ten",
        ),
        ("2e3", "'2e3' is ambiguous: write 2*e*3 for the constant e, or 2*10^3 for a power of ten"),
        ("1.5e-14*x", "'1.5e-14' is ambiguous: write 1.5*e - 14 for the constant e, or 1.5*10^-14"),
        (
            "y + 2e-(x+1)",
            "'2e-(x+1)' is ambiguous: write 2*e - (x+1) for the constant e, or 2*10^-(x+1)",
        ),
        ("x^2e-1", "'2e-1' is ambiguous: write 2*e - 1 for the constant e, or 2*10^-1"),
        (
            "2E-1",
            "'2E-1' is not read as scientific notation in a formula: write 2*10^-1 for a power",
        ),
        (
            ".5E+3",
            "'.5E+3' is not read as scientific notation in a formula: write .5*10^3 for a power",
        ),
    ],
)
def test_a_formula_number_with_an_e_exponent_names_both_readings(text, message):
    with pytest.raises(AnswerFormatError, match=re.escape(message)):
        formula(text)


def test_an_e_exponent_names_a_variable_called_e_or_E():
    message = "'2E-1' is ambiguous: write 2*E - 1 for the variable E, or 2*10^-1 for a power of ten"
    with pytest.raises(AnswerFormatError, match=re.escape(message)):
        formula("2E-1", frozenset({"E"}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2e - 1", 2 * math.e - 1),
        ("2*e-1", 2 * math.e - 1),
        ("2 e-1", 2 * math.e - 1),
        ("2e -1", 2 * math.e - 1),
        ("2e", 2 * math.e),
        ("2e^-1", 2 / math.e),
        ("2exp(x)", 2 * math.exp(2)),
        ("2*10^-1", 0.2),
        ("e-1", math.e - 1),
    ],
)
def test_formulas_without_an_e_exponent_still_work(text, expected):
    assert evaluate(formula(text), AT) == pytest.approx(expected, rel=1e-12)


def test_an_e_exponent_is_a_format_error_in_formula_answers_only():
    part = PartSpec("f", "formula", 2.0, {"variables": ["x"]})
    twice_e = Reference(exact={"f": "2*e - 1"})
    result = mark_part(part, twice_e, "2e-1")
    assert result.status == "format_error" and result.score == 0
    assert "write 2*e - 1 for the constant e, or 2*10^-1 for a power of ten" in result.feedback
    assert check_format([part], {"f": "2e-x"}) == {
        "f": "'2e-x' is ambiguous: write 2*e - x for the constant e, or 2*10^-x for a power of ten"
    }
    assert mark_part(part, twice_e, "2*e - 1").status == "correct"
    assert mark_part(part, twice_e, "2*10^-1").status == "incorrect"
    tiny = Reference(exact={"f": "1e-14*x"})
    assert mark_part(part, tiny, "x*10^-14").status == "correct"
    number = PartSpec("n", "number", 1.0, {"tolerance": {"rel": 0.001}})
    assert mark_part(number, Reference(exact={"n": 0.2}), "2e-1").status == "correct"
    assert parse_number("2e-1").value == 0.2
    assert parse_number("2e-1 + 1").value == pytest.approx(1.2, rel=1e-15)
    assert evaluate(parse_expression("2e-1*x", NAMES), AT) == pytest.approx(0.4, rel=1e-15)

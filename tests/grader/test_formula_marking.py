"""Formulas undefined at the test points, and agreement relative to the values' magnitude."""

import math

import mpmath
import pytest

from grader import PartSpec, Reference, mark_part
from grader.errors import RuleError
from grader.kinds import formula_mp
from grader.kinds.formula import FormulaMarker, reference_formula_problem
from grader.kinds.formula_points import (
    EXTRA_POINTS,
    MIN_VALID_POINTS,
    SAMPLE_POINTS,
    TOO_LARGE,
    PointValue,
    Undefined,
    compare,
    point_value,
    sample_points,
    values_agree,
)
from grader.parsing.expression import FUNCTIONS, parse_expression

K = {"variables": ["k"]}
SYMMETRIC = {"variables": ["k"], "domain": {"k": [-1, 1]}}


def mark(answer, expected, rule=K):
    return mark_part(PartSpec("q", "formula", 2.0, rule), Reference(exact={"q": expected}), answer)


@pytest.mark.parametrize(
    ("answer", "reason", "remedy"),
    [
        ("1/(k-k)", "divides by zero", "check every denominator"),
        ("k/(k^2 - k*k)", "divides by zero", "check every denominator"),
        ("ln(-k^2-1)", "takes the logarithm of zero or of a negative number", "inside each"),
        ("log10(k-k)", "takes the logarithm of zero or of a negative number", "inside each"),
        ("sqrt(-k)", "takes the square root of a negative number", "under each root"),
        ("√(-k)", "takes the square root of a negative number", "under each root"),
        ("(-k)^0.5", "raises a negative number to a fractional power", "base of a power"),
        ("(k-k)^-1", "divides by zero", "check every denominator"),
        ("exp(1000*k)*0 + exp(800)", "gives a number too large to work with", "exponents"),
    ],
)
def test_a_formula_undefined_at_every_test_point_is_wrong(answer, reason, remedy):
    result = mark(answer, "k + 1")
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert f"cannot be evaluated for typical values of k (it {reason})" in result.feedback
    assert remedy in result.feedback


def test_a_formula_undefined_on_part_of_the_domain_is_wrong():
    result = mark("2*ln(k)", "ln(k^2)", SYMMETRIC)
    assert result.status == "incorrect"
    assert "for some values of k where the expected formula is defined" in result.feedback
    assert mark("2*ln(abs(k))", "ln(k^2)", SYMMETRIC).status == "correct"


def test_a_formula_defined_on_part_of_the_domain_is_compared_where_both_are():
    assert mark("2*ln(k)", "ln(k^2)").status == "correct"
    assert mark("ln(k)", "ln(k^2)").mistakes == ("half",)


def test_more_points_are_tried_before_giving_up():
    rule = {"variables": ["k"], "domain": {"k": [0, 10]}}
    expected = parse_expression("sqrt(k - 9.5)", frozenset({"k"}))
    points = [{"k": 1.0}] * SAMPLE_POINTS + [{"k": 9.6 + i / 100} for i in range(10)]
    assert compare(expected, expected, points[:SAMPLE_POINTS]).outcome == "undecided"
    assert compare(expected, expected, points).outcome == "agree"
    # sqrt(k-8.5) is defined at 1 of the first 12 points of its domain and at 9 of all 60.
    assert mark("√(k - 8.5)", "sqrt(k-8.5)", rule).status == "correct"
    assert mark("2√(k - 8.5)", "sqrt(k-8.5)", rule).mistakes == ("double",)
    assert mark("k", "sqrt(k-8.5)", rule).status == "incorrect"


def test_a_reference_undefined_everywhere_is_the_authors_error():
    part = PartSpec("q", "formula", 2.0, K)
    problem = reference_formula_problem(part, "ln(-k)")
    assert problem is not None and "only 0 of 60 sample points" in problem
    assert "takes the logarithm of zero or of a negative number" in problem
    with pytest.raises(RuleError, match="fix the formula or the rule's 'domain'"):
        FormulaMarker().mark(part, Reference(exact={"q": "1/(k-k)"}), "k")
    both_undefined = mark("1/(k-k)", "1/(k-k)")
    assert both_undefined.status == "needs_manual" and both_undefined.score == 0
    assert reference_formula_problem(part, "ln(k)") is None
    assert "cannot be read" in reference_formula_problem(part, "1/2k")


def test_a_reference_defined_on_a_sliver_of_its_domain_is_usable():
    part = PartSpec("q", "formula", 1, {"variables": ["k"], "domain": {"k": [0, 10]}})
    assert reference_formula_problem(part, "sqrt(k-8.5)") is None
    problem = reference_formula_problem(part, "sqrt(k-9)")
    assert f"only 3 of {SAMPLE_POINTS + EXTRA_POINTS} sample points" in problem
    assert MIN_VALID_POINTS == 4


TINY = "1e-14*k"


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("k*10^-14", "correct"),
        ("k/10^14", "correct"),
        ("(k+k)*0.5*10^-14", "correct"),
        ("0", "incorrect"),
        ("k-k", "incorrect"),
        ("1.0001*10^-14*k", "incorrect"),
        ("k*10^-14 + 10^-22", "correct"),
        ("k*10^-14 + 10^-19", "incorrect"),
    ],
)
def test_agreement_is_relative_for_formulas_of_size_1e_14(answer, status):
    assert mark(answer, TINY).status == status


def test_a_tiny_formula_twice_too_large_is_named():
    assert mark("2*10^-14*k", TINY).mistakes == ("double",)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("0", "correct"),
        ("k - k", "correct"),
        ("(1 - tanh(k)^2) - sech(k)^2", "correct"),
        ("10^-14", "incorrect"),
        ("10^-14*k", "incorrect"),
    ],
)
def test_a_formula_that_is_zero_up_to_rounding_equals_zero(answer, status):
    assert mark(answer, "sin(k)^2 + cos(k)^2 - 1").status == status


def test_rounding_scale_follows_the_terms():
    names = frozenset({"k"})
    cancelled = point_value(parse_expression("sin(k)^2 + cos(k)^2 - 1", names), {"k": 0.7})
    assert abs(cancelled.value) < 1e-15 and cancelled.scale >= 1.0
    tiny = point_value(parse_expression("1e-14*k", names), {"k": 2.0})
    assert tiny.scale == pytest.approx(4e-14)
    assert not values_agree(PointValue(0.0, 0.0), tiny)
    assert values_agree(PointValue(0.0, 0.0), cancelled)


def test_every_function_has_a_rounding_rule():
    names = frozenset({"k"})
    for name in FUNCTIONS:
        result = point_value(parse_expression(f"{name}(k)", names), {"k": 0.5})
        assert result.scale >= abs(result.value) > 0


SIGMOID = {"variables": ["x"], "domain": {"x": [-800, 800]}}
PAST_FLOATS = {"variables": ["x"], "domain": {"x": [750, 800]}}


def test_the_sigmoid_domain_has_points_where_floats_overflow():
    points = sample_points(["x"], {"x": (-800.0, 800.0)}, "1/(1+exp(-x))")[:SAMPLE_POINTS]
    assert sorted(round(point["x"]) for point in points)[-2:] == [715, 782]


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("exp(x)/(1+exp(x))", "correct"),
        ("1/(1+1/exp(x))", "correct"),
        ("sigmoid(x)", "correct"),
        ("exp(x)/(2+exp(x))", "incorrect"),
        ("exp(x)/(1+exp(x)) + 10^-6", "incorrect"),
    ],
)
def test_equivalent_forms_that_overflow_or_underflow_floats_are_compared(answer, status):
    """exp(x)/(1+exp(x)) overflows floats for x > 709.8 where 1/(1+exp(-x)) does not: there
    both are compared in wide numbers."""
    assert mark(answer, "1/(1+exp(-x))", SIGMOID).status == status


def test_an_equivalent_form_that_underflows_floats_to_a_division_by_zero_is_correct():
    """exp(x) is 0 in floats for x < -745.2, so 1/(1+1/exp(x)) divides by zero there."""
    underflow = {"variables": ["x"], "domain": {"x": [-900, -760]}}
    assert mark("1/(1+1/exp(x))", "1/(1+exp(-x))", underflow).status == "correct"
    assert mark("1/(1+1/exp(x))", "exp(x)", underflow).status == "correct"
    assert mark("1/(1+1/exp(x))", "exp(x)*1.001", underflow).status == "incorrect"


def test_an_answer_only_wrong_where_it_overflows_floats_is_wrong():
    """Skipping the points where the answer overflowed let these through."""
    result = mark("k^2*exp(10^6*(k-1.5+abs(k-1.5)))", "k^2")
    assert (result.status, result.feedback) == ("incorrect", "Incorrect.")
    pq = {"variables": ["M", "N"], "domain": {"M": [1, 50], "N": [1, 20]}}
    reference = "N*(M*(M+1)/2 + M + 1)"
    assert mark(f"{reference}*exp(10^6*(M-30+abs(M-30)))", reference, pq).status == "incorrect"
    assert mark("N*(M+1)(M/2+1)", reference, pq).status == "correct"


def test_wide_values_past_floats():
    names = frozenset({"k", "x"})
    attack = point_value(parse_expression("k^2*exp(10^6*(k-1.5+abs(k-1.5)))", names), {"k": 2})
    assert attack.value == pytest.approx(4 * mpmath.exp(10**6), rel=1e-12)
    sigmoid = point_value(parse_expression("exp(x)/(1+exp(x))", names), {"x": 800.0})
    assert sigmoid.value == pytest.approx(1.0, rel=1e-15)
    underflow = point_value(parse_expression("1/(1+1/exp(x))", names), {"x": -800.0})
    assert underflow.value == pytest.approx(mpmath.exp(-800), rel=1e-12)
    power = point_value(parse_expression("10^(400*k)/10^(400*k-2)", names), {"k": 1.5})
    assert power.value == pytest.approx(100.0, rel=1e-12)


@pytest.mark.parametrize(
    ("answer", "status", "feedback"),
    [
        ("exp(x)/(1+exp(x))", "correct", "Correct."),
        ("2*exp(x)/(1+exp(x))", "incorrect", "twice the expected one"),
        ("exp(x)/(1+exp(x)) + 10^300", "incorrect", "gives a number too large to work with"),
    ],
)
def test_an_answer_that_overflows_floats_everywhere_is_compared_too(answer, status, feedback):
    """Past 750 the answer overflows floats at every point: it is marked by its wide values,
    and called too large only when it is not right and no named mistake explains it."""
    result = mark(answer, "1/(1+exp(-x))", PAST_FLOATS)
    assert result.status == status and feedback in result.feedback


@pytest.mark.parametrize(
    ("answer", "status"),
    [("exp(1000*k)*0 + k + 1", "correct"), ("exp(1000*k)/exp(1000*k-1) - e + k + 1", "correct")],
)
def test_an_answer_equal_to_the_reference_despite_overflowing_floats_is_correct(answer, status):
    assert mark(answer, "k + 1").status == status


@pytest.mark.parametrize(
    "answer",
    [
        "exp(exp(exp(x+5)))",
        "exp(1000*x)*0 + exp(800)",
        "10^10^10^x",
        "exp(exp(exp(exp(x))))",
        "(10^(10^8*x))^(10^8*x)",
        "sin(2^1100*x)",
    ],
)
def test_an_answer_too_large_everywhere_is_wrong_with_the_reason(answer):
    result = mark(answer, "x", {"variables": ["x"]})
    assert result.status == "incorrect"
    assert "cannot be evaluated for typical values of x" in result.feedback
    assert "(it gives a number too large to work with); check the exponents" in result.feedback


def test_the_wide_numbers_cap_their_exponent():
    names = frozenset({"k"})
    for formula in ("exp(exp(exp(exp(k))))", "10^10^10^k", "exp(2^40*k)", "cosh(2^40*k)"):
        with pytest.raises(Undefined, match=TOO_LARGE):
            point_value(parse_expression(formula, names), {"k": 2.0})
    assert formula_mp.exp(formula_mp.number(-(2.0**40))) == 0
    assert formula_mp.power(formula_mp.number(10.0), formula_mp.number(-(2.0**40))) == 0
    assert formula_mp.is_finite(formula_mp.exp(formula_mp.number(7e8)))
    with pytest.raises(OverflowError):
        formula_mp.exp(formula_mp.number(8e8))
    with pytest.raises(OverflowError):
        formula_mp.power(formula_mp.number(2.0), formula_mp.number(2.0**31))


@pytest.mark.parametrize(
    ("name", "argument", "expected"),
    [
        ("tanh", 1e300, 1.0),
        ("tanh", -1e300, -1.0),
        ("tanh", 0.5, math.tanh(0.5)),
        ("sech", 1e300, 0.0),
        ("sech", 2.0, 1 / math.cosh(2.0)),
        ("sigmoid", -700.0, math.exp(-700.0) / (1 + math.exp(-700.0))),
        ("sigmoid", 1.5, 1 / (1 + math.exp(-1.5))),
        ("log10", 1e5, 5.0),
        ("log2", 1024.0, 10.0),
        ("sqrt", 2.0, math.sqrt(2.0)),
        ("sin", 1e300, math.sin(1e300)),
    ],
)
def test_wide_functions_agree_with_floats(name, argument, expected):
    value = formula_mp.FUNCTIONS[name](formula_mp.number(argument))
    assert value == pytest.approx(expected, rel=1e-14, abs=0)


@pytest.mark.parametrize(
    ("name", "argument"), [("sqrt", -1.0), ("ln", 0.0), ("log", -2.0), ("log10", -1.0)]
)
def test_wide_functions_refuse_what_floats_refuse(name, argument):
    with pytest.raises(ValueError):
        formula_mp.FUNCTIONS[name](formula_mp.number(argument))


@pytest.mark.parametrize(
    ("base", "exponent", "expected"),
    [(-2.0, 3.0, -8.0), (-1.0, 2.0**60, 1.0), (-1.0, 3.0, -1.0), (0.0, 0.0, 1.0), (0.0, 2.5, 0.0)],
)
def test_wide_powers(base, exponent, expected):
    value = formula_mp.power(formula_mp.number(base), formula_mp.number(exponent))
    assert value == expected


def test_a_reference_that_overflows_floats_everywhere_is_usable():
    part = PartSpec("q", "formula", 1.0, PAST_FLOATS)
    assert reference_formula_problem(part, "exp(x)") is None
    assert mark("2*exp(x)/2", "exp(x)", PAST_FLOATS).status == "correct"
    wrong = mark("exp(x)*(1+10^-6)", "exp(x)", PAST_FLOATS)
    assert (wrong.status, wrong.feedback) == ("incorrect", "Incorrect.")


def test_sympy_recursing_too_deep_is_not_a_crash():
    """trigsimp expands cos(2^1000*k) one double angle at a time."""
    assert mark("cos(2^1000*k)", "k").status == "incorrect"

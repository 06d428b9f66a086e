"""Formulas undefined at the test points, and agreement relative to the values' magnitude."""

import pytest

from grader import PartSpec, Reference, mark_part
from grader.errors import RuleError
from grader.kinds.formula import FormulaMarker, reference_formula_problem
from grader.kinds.formula_points import (
    EXTRA_POINTS,
    MIN_VALID_POINTS,
    SAMPLE_POINTS,
    PointValue,
    compare,
    point_value,
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
        ("(k+k)*0.5e-14", "correct"),
        ("0", "incorrect"),
        ("k-k", "incorrect"),
        ("1.0001e-14*k", "incorrect"),
        ("1e-14*k + 1e-22", "correct"),
        ("1e-14*k + 1e-19", "incorrect"),
    ],
)
def test_agreement_is_relative_for_formulas_of_size_1e_14(answer, status):
    assert mark(answer, TINY).status == status


def test_a_tiny_formula_twice_too_large_is_named():
    assert mark("2e-14*k", TINY).mistakes == ("double",)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("0", "correct"),
        ("k - k", "correct"),
        ("(1 - tanh(k)^2) - sech(k)^2", "correct"),
        ("1e-14", "incorrect"),
        ("1e-14*k", "incorrect"),
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


def test_an_equivalent_form_that_overflows_at_some_points_is_still_correct():
    """exp(x)/(1+exp(x)) overflows for large x where 1/(1+exp(-x)) does not; it is the same
    function, so it is compared where it can be evaluated."""
    part = PartSpec("s", "formula", 1.0, {"variables": ["x"], "domain": {"x": [-800, 800]}})
    reference = Reference(exact={"s": "1/(1+exp(-x))"})
    assert mark_part(part, reference, "exp(x)/(1+exp(x))").status == "correct"
    assert mark_part(part, reference, "exp(x)/(2+exp(x))").status == "incorrect"


def test_an_answer_that_overflows_everywhere_is_wrong_with_the_reason():
    part = PartSpec("s", "formula", 1.0, {"variables": ["x"]})
    result = mark_part(part, Reference(exact={"s": "x"}), "exp(exp(exp(x+5)))")
    assert result.status == "incorrect"
    assert "too large" in result.feedback

import pytest

from grader import PartSpec, Reference, check_format, mark_part
from grader.kinds.formula import numeric_agreement
from grader.parsing.expression import parse_expression
from grader.symbolic import proves_equal

KAPPA = {"variables": ["k"]}
MOMENTUM_RATE = "(sqrt(k)-1)/(sqrt(k)+1)"


def mark(kind, answer, expected, rule):
    return mark_part(PartSpec("q", kind, 2.0, rule), Reference(exact={"q": expected}), answer)


@pytest.mark.parametrize(
    "answer",
    [MOMENTUM_RATE, "(k^0.5 - 1)/(1 + k^(1/2))", "1 - 2/(sqrt(k)+1)", "(k - 2sqrt(k) + 1)/(k-1)"],
)
def test_equivalent_formulas_are_correct(answer):
    assert mark("formula", answer, MOMENTUM_RATE, KAPPA).status == "correct"


def test_formula_in_two_variables():
    rule = {"variables": ["M"], "domain": {"M": [2, 50]}}
    assert mark("formula", "(M+2)/2", "M/2 + 1", rule).status == "correct"
    assert mark("formula", "M/2", "M/2 + 1", rule).status == "incorrect"


@pytest.mark.parametrize(
    "answer",
    [
        "x*w*(1 - tanh(w*x)^2)",
        "x*w/cosh(w*x)^2",
        "x*w*sech(w*x)^2",
        "x*w*(1 - sinh(w*x)^2/cosh(w*x)^2)",
    ],
)
def test_hyperbolic_spellings_of_a_tanh_derivative_are_equivalent(answer):
    rule = {"variables": ["x", "w"], "domain": {"x": [-1, 1], "w": [-1, 1]}}
    assert mark("formula", answer, "x*w*(1 - tanh(w*x)^2)", rule).status == "correct"


def test_a_variable_before_a_bracket_multiplies():
    rule = {"variables": ["N", "M"], "domain": {"N": [1, 9], "M": [1, 9]}}
    expected = "N*(M*(M+1)/2+M+1)"
    assert mark("formula", "N(M(M+1)/2 + M + 1)", expected, rule).status == "correct"
    assert mark("formula", "pi(M+1)", "pi*(M+1)", rule).status == "correct"


def test_formula_sign_and_factor_mistakes_are_named():
    assert mark("formula", "(1-sqrt(k))/(sqrt(k)+1)", MOMENTUM_RATE, KAPPA).mistakes == ("sign",)
    assert mark("formula", "M + 2", "M/2 + 1", {"variables": ["M"]}).mistakes == ("double",)


def test_formula_anticipated_answer():
    rule = {**KAPPA, "anticipated": [{"answer": "(k-1)/(k+1)", "feedback": "That is GD's rate."}]}
    assert mark("formula", "(k-1)/(k+1)", MOMENTUM_RATE, rule).feedback == "That is GD's rate."


def test_formula_with_unknown_name_is_a_format_error():
    result = mark("formula", "(sqrt(kappa)-1)", MOMENTUM_RATE, KAPPA)
    assert result.status == "format_error" and "unknown name 'kappa'" in result.feedback.lower()


def test_sympy_proves_what_sampling_cannot_reach():
    first = parse_expression("log(exp(k))", frozenset({"k"}))
    second = parse_expression("k", frozenset({"k"}))
    assert proves_equal(first, second, {"k": True})


def test_sympy_proves_a_heavy_identity_within_a_generous_limit():
    """The timeout path itself is tested without timing in tests/grader/test_symbolic_alarm.py:
    a 0.1 ms limit here raced sympy's cache, which can answer before the alarm fires."""
    import sympy

    expanded = str(sympy.expand((sympy.Symbol("k") + 1) ** 12)).replace("**", "^")
    first = parse_expression("(k+1)^12 * sin(k)^2 + cos(k)^2 * (k+1)^12", frozenset({"k"}))
    second = parse_expression(expanded, frozenset({"k"}))
    assert proves_equal(first, second, {"k": True}, timeout=30.0) is True


def test_numeric_agreement_is_undecided_where_undefined():
    answer = parse_expression("sqrt(k - 100)", frozenset({"k"}))
    points = [{"k": 1.0}, {"k": 2.0}]
    assert numeric_agreement(answer, answer, points) == "undecided"


SHAPE_RULE = {"shape": [2, 1, 3], "elements": "integer"}


@pytest.mark.parametrize(
    "answer",
    [
        "[[[1, 2, 3]], [[4, 5, 6]]]",
        "[[[1., 2., 3.]], [[7., 8., 9.]]]",
        "torch.tensor([[[0, 0, 0]], [[-1, 5, 9]]])",
    ],
)
def test_tensor_shape_accepts_any_tensor_of_the_shape(answer):
    assert mark("tensor_shape", answer, None, SHAPE_RULE).status == "correct"


def test_tensor_shape_wrong_shape_or_elements():
    wrong_shape = mark("tensor_shape", "[[1, 2, 3], [4, 5, 6]]", None, SHAPE_RULE)
    assert wrong_shape.status == "incorrect" and "[2, 3]" in wrong_shape.feedback
    fractional = mark("tensor_shape", "[[[1.5, 2, 3]], [[4, 5, 6]]]", None, SHAPE_RULE)
    assert fractional.status == "incorrect" and "integers" in fractional.feedback


def test_tensor_shape_strict_dtype_wants_integer_literals():
    rule = {**SHAPE_RULE, "strict_dtype": True}
    assert mark("tensor_shape", "[[[1., 2., 3.]], [[7., 8., 9.]]]", None, rule).score == 0
    assert mark("tensor_shape", "[[[1, 2, 3]], [[7, 8, 9]]]", None, rule).score == 2.0


def test_text_parts_wait_for_manual_marking():
    result = mark("text", "Symmetry: every neuron gets the same gradient.", None, {})
    assert result.status == "needs_manual" and result.score == 0
    assert "marked later" in result.feedback
    assert check_format([PartSpec("q", "text", 1)], {"q": ""}) == {}

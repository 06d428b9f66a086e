"""The ``written_sf`` rule: counting written significant figures, and marking with it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import PartSpec, Reference, check_format, mark_part, validate_rule
from grader.parsing.number import parse_number
from grader.written_figures import WrittenFigures, written_figures
from tests.grader.test_messages import _sentence_problems


@pytest.mark.parametrize(
    ("text", "fewest", "most"),
    [
        ("3.142", 4, 4),
        ("0.00123", 3, 3),
        ("1.50", 3, 3),
        ("1.500", 4, 4),
        ("-0.0499", 3, 3),
        ("1.20e-3", 3, 3),
        ("1.00e5", 3, 3),
        ("138*10^-3", 3, 3),
        ("25.00e1", 4, 4),
        ("1E3", 1, 1),
        ("1200", 2, 4),
        ("-100", 1, 3),
        ("1170", 3, 4),
        ("1000", 1, 4),
        ("10000000000000000000000", 1, 23),
        ("1200.", 4, 4),
        ("3141", 4, 4),
        ("04", 1, 1),
        ("0", 1, 1),
        ("0.", 1, 1),
        ("0.0", 1, 1),
        (".0", 1, 1),
        ("0.00", 2, 2),
        ("0.000", 3, 3),
        ("42.5%", 3, 3),
        ("40%", 2, 2),
        ("\u2212420.690", 6, 6),
    ],
)
def test_figures_are_counted_as_written(text, fewest, most):
    assert written_figures(parse_number(text)) == WrittenFigures(fewest, most)


@pytest.mark.parametrize("text", ["55/294", "pi", "-(0.05)", "sqrt(3)"])
def test_an_expression_has_no_written_figures(text):
    assert written_figures(parse_number(text)) is None


def mark(answer, reference, rule, kind="number"):
    return mark_part(PartSpec("q", kind, 2.0, rule), Reference(exact={"q": reference}), answer)


magnitudes = st.floats(min_value=1e-300, max_value=1e300)
signs = st.sampled_from([1.0, -1.0])
figure_counts = st.integers(min_value=1, max_value=17)


@given(magnitudes, signs, figure_counts)
def test_a_number_printed_to_n_figures_in_scientific_notation_counts_n(magnitude, sign, n):
    text = f"{sign * magnitude:.{n - 1}e}"
    assert written_figures(parse_number(text)) == WrittenFigures(n, n)


@given(magnitudes, signs, figure_counts)
def test_the_reference_printed_to_n_figures_is_correct_under_written_sf_n(magnitude, sign, n):
    reference = sign * magnitude
    assert mark(f"{reference:.{n - 1}e}", reference, {"written_sf": n}).status == "correct"


def test_exactly_the_asked_figures_and_the_right_value_is_correct():
    assert mark("3.14", 3.1415927, {"written_sf": 3}).status == "correct"
    assert mark("0.00187", 0.0018707, {"written_sf": 3}).status == "correct"
    assert mark("1170", 1174.34, {"written_sf": 3}).status == "correct"


def test_the_value_must_agree_to_the_written_figures():
    result = mark("3.15", 3.1415927, {"written_sf": 3})
    assert result.status == "incorrect" and "written_figures" not in result.mistakes


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("3.142", "exactly 3 significant figures; yours has 4."),
        ("3.1", "exactly 3 significant figures; yours has 2."),
        ("3.140", "yours has 4."),
        ("pi", "yours is an expression, not a decimal number"),
    ],
)
def test_wrong_count_of_figures_scores_zero_and_says_how_many(answer, fragment):
    result = mark(answer, 3.1415927, {"written_sf": 3})
    assert (result.status, result.score, result.mistakes) == (
        "incorrect",
        0.0,
        ("written_figures",),
    )
    assert fragment in result.feedback


def test_more_figures_than_asked_are_not_condoned_even_when_closer():
    assert mark("3.1416", 3.1415927, {"written_sf": 3}).status == "incorrect"
    assert mark("3.1416", 3.1415927, {"tolerance": {"sf": 3}}).status == "correct"


def test_fewer_figures_get_no_partial_credit():
    result = mark("3.1", 3.1415927, {"written_sf": 3})
    assert result.score == 0.0 and result.mistakes == ("written_figures",)


def test_a_whole_number_with_trailing_zeros_may_count_as_each_possible_figure():
    assert mark("1200", 1234, {"written_sf": 2}).status == "correct"
    assert mark("1200", 1200, {"written_sf": 4}).status == "correct"
    too_few = mark("1200", 1234.5, {"written_sf": 5})
    assert "yours has 2 to 4" in too_few.feedback and "1200." in too_few.feedback


def test_a_wrong_count_is_not_a_format_error():
    part = PartSpec("q", "number", 1.0, {"written_sf": 3})
    assert check_format([part], {"q": "3.1416"}) == {}


def test_explicit_tolerance_sets_the_agreement_as_with_stack_mixed_options():
    rule = {"written_sf": 4, "tolerance": {"sf": 3}}
    assert mark("3.143", 3.1415927, rule).status == "correct"
    assert mark("3.150", 3.1415927, rule).status == "incorrect"
    assert mark("3.14", 3.1415927, rule).mistakes == ("written_figures",)


def test_every_entry_of_an_array_is_counted_and_the_misfits_are_named():
    reference = [[0.333, 1.0], [2.5, 0.0018707]]
    assert mark(
        "[[0.333, 1.00], [2.50, 0.00187]]", reference, {"written_sf": 3}, "matrix"
    ).status == ("correct")
    result = mark("[[0.333, 1], [2.50, 0.001871]]", reference, {"written_sf": 3}, "matrix")
    assert result.mistakes == ("written_figures",)
    assert "row 1, column 2 has 1" in result.feedback
    assert "row 2, column 2 has 4" in result.feedback
    assert "row 2, column 1" not in result.feedback


def test_the_feedback_never_states_the_expected_value():
    result = mark("2.71", 2.718281828, {"written_sf": 4})
    assert "2.718" not in result.feedback


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"written_sf": 0}, "'written_sf' must be a whole number from 1 to 17"),
        ({"written_sf": 18}, "from 1 to 17"),
        ({"written_sf": 3.5}, "whole number"),
        ({"written_sf": True}, "whole number"),
    ],
)
def test_invalid_written_sf_is_reported(rule, fragment):
    assert any(fragment in problem for problem in validate_rule("number", rule))


def test_valid_written_sf_for_numbers_and_arrays():
    assert validate_rule("number", {"written_sf": 3}) == []
    assert validate_rule("matrix", {"written_sf": 3, "tolerance": {"sf": 2}}) == []


WRITTEN_SF_FEEDBACK = [
    mark(answer, reference, {"written_sf": figures}, kind).feedback
    for answer, reference, figures, kind in [
        ("3.142", 3.1415927, 3, "number"),
        ("3.1", 3.1415927, 1, "number"),
        ("pi", 3.1415927, 3, "number"),
        ("1200", 1234.5, 5, "number"),
        ("[0.333, 1, 1/3, 1200]", [0.333, 1.0, 0.333, 1234.5], 3, "vector"),
    ]
]


@pytest.mark.parametrize("feedback", WRITTEN_SF_FEEDBACK)
def test_written_sf_feedback_passes_the_library_proofreading(feedback):
    assert _sentence_problems(feedback) == [], feedback


@pytest.mark.parametrize(
    ("written", "figures"),
    [("0%", 1), ("0.0%", 1), ("0.00e2", 2), ("0.000e-2", 3), ("0.00", 2), ("0", 1)],
)
def test_a_zero_counts_the_zeros_written_after_its_point(written, figures):
    assert written_figures(parse_number(written)) == WrittenFigures(figures, figures)


def test_a_full_width_zero_is_not_a_written_figure():
    part = PartSpec("a", "number", 1.0, {"written_sf": 2})
    assert mark_part(part, Reference(exact={"a": 0.05}), ".０5").status == "incorrect"
    assert mark_part(part, Reference(exact={"a": 0.05}), "0.050").status == "correct"

"""Marking numbers and arrays, with the seed 002/004 Q2 numbers (two answer keys of one exam)."""

import math

import pytest

from grader import AnswerFormatError, PartSpec, Reference, check_format, mark_part
from grader.kinds import MARKERS
from tests.grader.seed_mlp import solve

EXACT = solve()
ROUNDED = solve(decimals=2)
DP2 = {"tolerance": {"dp": 2}}
SEED_REFERENCE = Reference(exact=EXACT, rounded=ROUNDED)


def mark(kind, answer, rule=DP2, quantity="J", reference=SEED_REFERENCE, marks=2.0):
    return mark_part(PartSpec(quantity, kind, marks, rule), reference, answer)


def test_seed_keys_differ_where_intermediates_were_rounded():
    assert round(EXACT["J"], 2) == 1.68 and ROUNDED["J"] == 1.66
    assert round(EXACT["g_u2"][0], 2) == 0.04 and ROUNDED["g_u2"][0] == 0.03
    assert EXACT["u1"] == pytest.approx([1.3, -4.7, 3.6])
    assert ROUNDED["y"] == 0.81


def test_exact_key_is_correct():
    result = mark("number", "1.68")
    assert (result.status, result.score, result.feedback) == ("correct", 2.0, "Correct.")
    assert result.matched == "exact"


def test_rounded_intermediates_earn_full_credit_and_say_so():
    result = mark("number", "1.66")
    assert result.status == "correct" and result.score == 2.0
    assert "rounded to 2 decimal places" in result.feedback
    assert result.matched == "rounded"


def test_rounded_path_credit_is_configurable():
    result = mark("number", "1.66", {**DP2, "rounded_credit": 0.5})
    assert result.status == "partially_correct" and result.score == 1.0
    assert "50%" in result.feedback


def test_gradient_from_either_key_is_accepted():
    assert mark("vector", "[0.04, 0]", quantity="g_u2").status == "correct"
    assert mark("vector", "[0.03, 0.00]", quantity="g_u2").matched == "rounded"
    assert mark("vector", "[[0.04], [0]]", quantity="g_u2").status == "correct"


def test_first_layer_values_of_both_keys():
    assert mark("vector", "(1.3, -4.7, 3.6)", quantity="u1").status == "correct"
    assert mark("number", "0.81", quantity="y").status == "correct"
    assert mark("vector", "[0.86, -1.00, 1.00]", quantity="h1").status == "correct"
    assert mark("vector", "[2.49, 7.20]", quantity="u2").status == "correct"
    assert mark("vector", "[2.48, 7.2]", quantity="u2").matched == "rounded"


def test_sign_error_is_rejected_and_named():
    result = mark("number", "-1.68")
    assert result.status == "incorrect" and result.score == 0
    assert result.mistakes == ("sign",)
    assert "sign" in result.feedback.lower()


def test_sign_error_in_one_matrix_entry_of_seed_004():
    rule = {**DP2, "per_element_credit": True}
    result = mark("matrix", "[[-0.04, 0], [-0.04, 0], [0.04, 0]]", rule, quantity="g_W2")
    assert result.status == "partially_correct"
    assert result.score == pytest.approx(2.0 * 5 / 6)
    assert "row 1, column 1" in result.feedback and "Sign error" in result.feedback
    assert "sign" in result.mistakes


def test_without_per_element_credit_one_wrong_entry_scores_zero():
    result = mark("matrix", "[[-0.04, 0], [-0.04, 0], [0.04, 0]]", quantity="g_W2")
    assert result.status == "incorrect" and result.score == 0


SIN5 = Reference(exact={"pe0": math.sin(5), "pe3": math.cos(5 / 10000 ** (2 / 512))})
DP4 = {"tolerance": {"dp": 4}}


def test_sin5_typo_is_rejected_and_called_a_typo():
    result = mark("number", "-0.9598", DP4, "pe0", SIN5)
    assert result.status == "incorrect" and result.score == 0
    assert result.mistakes == ("digit_swap",)
    assert "-0.9589" not in result.feedback


def test_positional_encoding_sign_error_of_seed_004():
    assert mark("number", "0.1107", DP4, "pe3", SIN5).status == "correct"
    result = mark("number", "-0.1107", DP4, "pe3", SIN5)
    assert result.status == "incorrect" and result.mistakes == ("sign",)


def test_degree_mode_is_named_with_an_angle_hint():
    rule = {**DP4, "mistake_hints": {"angle": {"function": "sin", "argument": 5}}}
    result = mark("number", "0.0872", rule, "pe0", SIN5)
    assert result.mistakes == ("degrees",) and "degree mode" in result.feedback


def test_degree_hint_can_name_a_reported_quantity():
    reference = Reference(exact={"angle": 5.0, "pe0": math.sin(5)})
    rule = {**DP4, "mistake_hints": {"angle": {"function": "sin", "argument": "angle"}}}
    assert mark("number", "0.0872", rule, "pe0", reference).mistakes == ("degrees",)


def test_log10_instead_of_ln_is_named_with_a_log_hint():
    rule = {**DP2, "mistake_hints": {"log": "ln"}}
    result = mark("number", f"{EXACT['J'] / math.log(10):.2f}", rule)
    assert result.mistakes == ("log10_for_ln",)


@pytest.mark.parametrize(
    ("answer", "mistake"),
    [
        ("3.36", "double"),
        ("0.84", "half"),
        ("16.79", "power_of_ten_1"),
        ("0.017", "power_of_ten_-2"),
    ],
)
def test_scaling_mistakes_are_named(answer, mistake):
    assert mark("number", answer, {"tolerance": {"sf": 2}}).mistakes == (mistake,)


def test_percent_instead_of_fraction():
    reference = Reference(exact={"ratio": 55 / 294})
    result = mark("number", "18.7", {"tolerance": {"dp": 3}}, "ratio", reference)
    assert result.mistakes == ("percent",)
    assert mark("number", "18.7%", {"tolerance": {"dp": 3}}, "ratio", reference).status == (
        "correct"
    )


def test_fraction_instead_of_percent_with_hint():
    reference = Reference(exact={"ratio": 18.707})
    rule = {"tolerance": {"dp": 1}, "mistake_hints": {"percent": True}}
    assert mark("number", "0.187", {"tolerance": {"sf": 3}, **rule}, "ratio", reference).mistakes
    assert mark(
        "number", "0.187", rule | {"tolerance": {"sf": 3}}, "ratio", reference
    ).mistakes == ("fraction",)


def test_square_matrix_transpose_is_named():
    reference = Reference(exact={"U": [[0.2, 0.3], [0.8, 0.9]]})
    result = mark("matrix", "[[0.2, 0.8], [0.3, 0.9]]", DP2, "U", reference)
    assert result.mistakes == ("transpose",)


def test_non_square_transpose_is_marked_as_a_named_mistake():
    result = mark("matrix", "[[0.04, -0.04, 0.04], [0, 0, 0]]", quantity="g_W2")
    assert (result.status, result.mistakes) == ("incorrect", ("transpose",))


def test_another_shape_is_marked_zero_with_neutral_feedback():
    result = mark("matrix", "[[0.04, -0.04], [0, 0]]", quantity="g_W2")
    assert (result.status, result.score, result.mistakes) == ("incorrect", 0.0, ("shape",))
    assert "×" not in result.feedback and "expected" not in result.feedback


def test_mistakes_can_be_switched_off():
    result = mark("number", "-1.68", {**DP2, "mistakes": False})
    assert result.mistakes == () and result.feedback == "Incorrect."


def test_mistake_credit_is_configurable():
    assert mark("number", "-1.68", {**DP2, "mistake_credit": 0.25}).score == 0.5


def test_insufficient_precision_loses_the_configured_credit():
    result = mark("number", "-0.959", DP4, "pe0", SIN5)
    assert result.status == "partially_correct" and result.score == 1.0
    assert result.mistakes == ("insufficient_precision",)
    lenient = mark("number", "-0.959", {**DP4, "insufficient_precision_credit": 1}, "pe0", SIN5)
    assert lenient.status == "correct"


def test_one_significant_figure_is_not_mere_imprecision():
    assert mark("number", "-1", DP4, "pe0", SIN5).status == "incorrect"


def test_truncated_value_is_not_insufficient_precision():
    assert mark("number", "-0.958", DP4, "pe0", SIN5).status == "incorrect"


def test_near_miss_suggests_early_rounding():
    result = mark("number", "1.67")
    assert result.mistakes == ("early_rounding",) and "too early" in result.feedback


def test_carried_forward_earns_credit_and_says_so():
    reference = Reference(exact={"J": 1.679}, carried_forward={"J": 2.3026})
    result = mark("number", "2.30", reference=reference)
    assert result.status == "correct" and result.matched == "carried_forward"
    assert "carried forward" in result.feedback
    half = mark("number", "2.30", {**DP2, "carried_forward_credit": 0.5}, reference=reference)
    assert half.score == 1.0


def test_anticipated_answer_with_own_feedback_and_credit():
    rule = {
        **DP2,
        "anticipated": [
            {"quantity": "u3", "feedback": "That is u3, not the loss.", "credit": 0.25},
            {"answer": "0.19", "feedback": "That is 1 - y; take its log.", "credit": 0},
        ],
    }
    assert mark("number", "1.47", rule).feedback == "That is u3, not the loss."
    assert mark("number", "1.47", rule).score == 0.5
    assert mark("number", "0.19", rule).matched == "anticipated"


def test_solver_reported_alternatives_are_named():
    reference = Reference(exact={"J": 1.679}, alternatives={"J": {"mean_instead_of_sum": 0.84}})
    result = mark("number", "0.84", {**DP2, "mistakes": True}, reference=reference)
    assert result.mistakes == ("mean_instead_of_sum",)


def test_integer_counts_are_exact_by_default():
    reference = Reference(exact={"n": 320128})
    assert mark("integer", "320128", {}, "n", reference).status == "correct"
    assert mark("integer", "320,128", {}, "n", reference).status == "correct"
    assert mark("integer", "320127", {}, "n", reference).status == "incorrect"
    assert mark("integer", "3.5", {}, "n", reference).status == "format_error"


def test_default_number_tolerance_is_a_tenth_of_a_percent():
    reference = Reference(exact={"r": 0.1870748})
    assert mark("number", "0.187", {}, "r", reference).status == "correct"
    assert mark("number", "0.186", {}, "r", reference).status == "incorrect"


def test_legacy_abs_tol_rule_still_works():
    reference = Reference(exact={"r": 1.0})
    assert mark("number", "1.009", {"abs_tol": 0.01}, "r", reference).status == "correct"


@pytest.mark.parametrize("answer", ["abc", "[1, 2]", "nan", "1/0"])
def test_unreadable_answers_are_format_errors_not_zeros(answer):
    result = mark("number", answer)
    assert result.status == "format_error" and result.score == 0 and result.feedback


def test_an_empty_answer_is_unanswered_not_a_format_error():
    result = mark("number", " ")
    assert (result.status, result.score, result.feedback) == ("unanswered", 0, "Not answered.")


def test_missing_reference_is_left_for_an_instructor():
    assert mark("number", "1.0", quantity="nowhere").status == "needs_manual"


def test_broken_rule_is_left_for_an_instructor():
    assert mark("number", "1.68", {"tolerance": {"dp": "two"}}).status == "needs_manual"


def test_tensor_shape_must_match_exactly():
    reference = Reference(exact={"t": [[[1.0, 2.0]]]})
    assert mark("tensor", "[[[1, 2]]]", {}, "t", reference).status == "correct"
    assert mark("tensor", "[1, 2]", {}, "t", reference).mistakes == ("shape",)


@pytest.mark.parametrize(
    "answer", ["1.66", "-1.68", "-0.9598", "1.67", "3.36", "[[0.2, 0.8], [0.3, 0.9]]"]
)
def test_feedback_never_states_the_expected_value(answer):
    for quantity, value in (("J", "1.68"), ("J", "1.66")):
        result = mark("number", answer, quantity=quantity)
        assert value not in result.feedback.replace(answer, "")


QUARTER = Reference(exact={"r": 0.25, "n": 1250, "x": 1.25})
SF3 = {"tolerance": {"sf": 3}}


@pytest.mark.parametrize("answer", ["0,250", "0,25"])
def test_decimal_comma_is_a_format_error_that_asks_for_a_decimal_point(answer):
    result = mark("number", answer, SF3, "r", QUARTER)
    assert (result.status, result.score, result.mistakes) == ("format_error", 0.0, ())
    assert result.feedback.startswith("Use a decimal point, not a decimal comma: 0.25")
    assert check_format([PartSpec("r", "number", 1, SF3)], {"r": answer}) == {
        "r": f"use a decimal point, not a decimal comma: {answer.replace(',', '.')}"
    }


@pytest.mark.parametrize("answer", ["0,250", "0,25", "2,5e-1"])
def test_a_part_that_accepts_decimal_commas_marks_them(answer):
    rule = {**SF3, "decimal_comma": True}
    assert mark("number", answer, rule, "r", QUARTER).status == "correct"


def test_ambiguous_grouping_is_caught_before_submission_and_never_read_as_thousands():
    part = PartSpec("x", "number", 1, SF3)
    message = check_format([part], {"x": "1,250"})["x"]
    assert "1,250 could mean 1250 or 1.250" in message and "without the comma" in message
    result = mark("number", "1,250", SF3, "x", QUARTER)
    assert (result.status, result.score, result.mistakes) == ("format_error", 0.0, ())
    assert mark("number", "1,250", {**SF3, "decimal_comma": True}, "x", QUARTER).status == (
        "correct"
    )


@pytest.mark.parametrize(
    "answer", ["1,250", "1 250", "1\u2009250", "1\u202f250", "1\u00a0250", "1250"]
)
def test_counts_accept_comma_and_space_grouping(answer):
    assert mark("integer", answer, {}, "n", QUARTER).status == "correct"


def test_seed_count_with_thin_space_grouping_is_correct():
    reference = Reference(exact={"flops": 16941456})
    for kind in ("integer", "number"):
        for answer in ("16 941 456", "16\u2009941\u2009456", "16,941,456"):
            assert mark(kind, answer, {}, "flops", reference).status == "correct"


def test_inconsistent_grouping_of_a_count_says_how_to_write_it():
    reference = Reference(exact={"flops": 16941456})
    result = mark("integer", "16 94 1456", {}, "flops", reference)
    assert result.status == "format_error" and "16 941 456" in result.feedback


PERCENT_ASKED = {"tolerance": {"sf": 3}, "mistake_hints": {"percent": True}}


@pytest.mark.parametrize(
    ("answer", "reference"), [("42.5%", 42.5), ("42.5", 42.5), ("75%", 75.0), ("75", 75.0)]
)
def test_with_a_percentage_asked_the_percent_sign_is_the_unit(answer, reference):
    result = mark("number", answer, PERCENT_ASKED, "p", Reference(exact={"p": reference}))
    assert (result.status, result.mistakes) == ("correct", ())


def test_with_a_percentage_asked_a_fraction_is_still_named():
    result = mark("number", "0.425", PERCENT_ASKED, "p", Reference(exact={"p": 42.5}))
    assert result.mistakes == ("fraction",)


def test_without_the_percent_hint_the_percent_sign_means_hundredths():
    reference = Reference(exact={"p": 0.425})
    assert mark("number", "42.5%", {"tolerance": {"sf": 3}}, "p", reference).status == "correct"
    assert mark("number", "42.5", {"tolerance": {"sf": 3}}, "p", reference).mistakes == ("percent",)


def test_percent_hint_reads_array_entries_in_percent_too():
    reference = Reference(exact={"v": [42.5, 7.5]})
    result = mark("vector", "[42.5%, 7.5%]", PERCENT_ASKED, "v", reference)
    assert result.status == "correct"


TINY = Reference(exact={"g": 7.2e-13, "h": 3e-14}, alternatives={"h": {"no_bias": 1.5e-14}})


def test_zero_is_wrong_for_a_tiny_reference_under_sig_figs_and_rel():
    assert mark("number", "0", SF3, "g", TINY).status == "incorrect"
    assert mark("number", "7.20e-13", SF3, "g", TINY).status == "correct"
    rel = {"tolerance": {"rel": 0.01}}
    assert mark("number", "0", rel, "h", TINY).status == "incorrect"
    assert mark("number", "3.0e-14", rel, "h", TINY).status == "correct"
    assert mark("number", "0", {}, "h", TINY).status == "incorrect"


def test_a_tiny_wrong_value_is_named_but_zero_is_not_taken_for_it():
    rel = {"tolerance": {"rel": 0.01}}
    assert mark("number", "1.5e-14", rel, "h", TINY).mistakes == ("no_bias",)
    assert mark("number", "0", rel, "h", TINY).mistakes == ()


def test_a_dp_rule_keeps_its_absolute_band_for_tiny_references():
    assert mark("number", "0", {"tolerance": {"dp": 4}}, "h", TINY).status == "correct"


POWER_OF_TEN = Reference(exact={"q": 0.09996, "q4": 0.099962})


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("0.100", "correct"),
        ("0.09996", "correct"),
        ("0.1000", "correct"),
        ("0.0996", "incorrect"),
        ("0.1004", "incorrect"),
    ],
)
def test_sig_figs_at_a_power_of_ten_use_the_unrounded_magnitude(answer, status):
    assert mark("number", answer, SF3, "q", POWER_OF_TEN).status == status


def test_fewer_sig_figs_at_a_power_of_ten_are_judged_with_the_narrow_band():
    rule = {"tolerance": {"sf": 4}}
    short = mark("number", "0.100", rule, "q4", POWER_OF_TEN)
    assert (short.status, short.mistakes) == ("partially_correct", ("insufficient_precision",))
    wrong = mark("number", "0.0996", rule, "q4", POWER_OF_TEN)
    assert (wrong.status, wrong.score) == ("incorrect", 0.0)
    assert "insufficient_precision" not in wrong.mistakes


@pytest.mark.parametrize(
    ("answer", "reference", "rule"),
    [
        ("００", 0.31, DP2),
        ("０2", 1.64, DP2),
        ("-０1", math.sin(5), {"tolerance": {"dp": 4}}),
    ],
)
def test_non_ascii_zeros_earn_nothing_for_a_one_figure_answer(answer, reference, rule):
    """Leading zeros of any script are not significant figures, so a nearest-integer answer
    never earns the insufficient-precision credit."""
    result = mark("number", answer, rule, quantity="x", reference=Reference(exact={"x": reference}))
    assert (result.status, result.score) == ("incorrect", 0.0)


def test_an_exact_rule_compares_large_whole_numbers_exactly():
    reference = Reference(exact={"n": 10**13})
    assert mark("integer", "10000000000000", {}, "n", reference).status == "correct"
    assert mark("integer", "10000000000010", {}, "n", reference).status == "incorrect"
    exact = {"tolerance": {"abs": 0}}
    assert mark("number", "10000000000001", exact, "n", reference).status == "incorrect"


def test_an_empty_vector_answer_is_unanswered_and_its_reader_asks_for_a_vector():
    part = PartSpec("u", "vector", 1.0, DP2)
    assert check_format([part], {"u": " "}) == {}
    with pytest.raises(AnswerFormatError, match=r"^the answer is empty; enter a vector such as"):
        MARKERS["vector"].parse(part, " ")

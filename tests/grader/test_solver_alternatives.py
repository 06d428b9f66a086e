"""Mistakes named from the solver's perturbed runs (the reference's `alternatives`)."""

from __future__ import annotations

import math

from grader import PartSpec, Reference, mark_part, validate_rule
from grader.mistakes import alternative_is_right

DP2 = {"tolerance": {"dp": 2}}
J_EXACT = 1.6791101911011967
J_LOG10 = J_EXACT / math.log(10)
LOG10_FEEDBACK = (
    "Your J matches the answer you get using log₁₀ instead of ln (first wrong at step 10, J)."
)


def mark(answer: str, reference: Reference, rule=DP2, kind="number", label="J"):
    return mark_part(PartSpec(label, kind, 2, rule), reference, answer)


def log10_reference(**entry) -> Reference:
    return Reference(
        exact={"J": J_EXACT},
        rounded={"J": 1.66},
        alternatives={
            "J": {"log10_for_ln": {"value": J_LOG10, "feedback": LOG10_FEEDBACK, **entry}}
        },
    )


def test_an_alternative_is_named_with_its_own_feedback():
    result = mark("0.73", log10_reference())
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert result.feedback == LOG10_FEEDBACK
    assert result.mistakes == ("log10_for_ln",)


def test_the_rounded_path_of_an_alternative_is_named_too():
    rounded_log10 = -math.log10(1 - 0.81)  # y rounded to 0.81 first: 0.7212
    reference = log10_reference(rounded=rounded_log10)
    assert mark("0.72", reference).mistakes == ("log10_for_ln",)
    assert mark("0.72", log10_reference()).mistakes == ()


def test_feedback_never_states_the_expected_value():
    assert "1.68" not in mark("0.73", log10_reference()).feedback


def test_an_alternative_the_tolerance_accepts_as_right_is_never_named():
    reference = Reference(
        exact={"x": 100.0},
        alternatives={"x": {"sign:u": {"value": 100.08, "feedback": "Sign flipped."}}},
    )
    rule = {"tolerance": {"rel": 0.001}}
    result = mark("100.15", reference, rule, label="x")
    assert result.status == "incorrect"
    assert result.mistakes == ()
    assert "Sign flipped" not in result.feedback
    assert mark("100.08", reference, rule, label="x").status == "correct"


def test_two_alternatives_that_explain_the_answer_are_both_named():
    reference = Reference(
        exact={"J": J_EXACT},
        alternatives={
            "J": {
                "sign:W3": {"value": 0.4845, "feedback": "Your J matches W3's sign flipped."},
                "sign:h2": {"value": 0.4845, "feedback": "Your J matches h2's sign flipped."},
                "sign:u3": {"value": 0.2065, "feedback": "Your J matches u3's sign flipped."},
            }
        },
    )
    result = mark("0.48", reference)
    assert result.mistakes == ("sign:W3", "sign:h2")
    assert result.feedback == (
        "More than one mistake gives your answer. Your J matches W3's sign flipped. "
        "Or: Your J matches h2's sign flipped."
    )


def test_alternatives_come_before_the_generic_scaling_mistakes():
    reference = Reference(
        exact={"r": 0.5},
        alternatives={"r": {"forgot:half": {"value": 5.0, "feedback": "Forgot the half."}}},
    )
    result = mark("5", reference, {}, label="r")
    assert result.mistakes == ("forgot:half",)
    without = mark("5", Reference(exact={"r": 0.5}), {}, label="r")
    assert without.mistakes == ("power_of_ten_1",)


def test_an_alternative_and_a_hint_of_the_same_name_are_named_once():
    rule = {**DP2, "mistake_hints": {"log": "ln"}}
    result = mark("0.73", log10_reference(), rule)
    assert result.mistakes == ("log10_for_ln",)
    assert result.feedback == LOG10_FEEDBACK


def test_mistakes_false_and_perturbations_false_turn_alternatives_off():
    assert mark("0.73", log10_reference(), {**DP2, "mistakes": False}).mistakes == ()
    off = mark("0.73", log10_reference(), {**DP2, "perturbations": False})
    assert off.mistakes == ()
    negative = mark("-1.68", log10_reference(), {**DP2, "perturbations": False})
    assert negative.mistakes == ("sign",)


def test_the_perturbations_switch_is_a_valid_numeric_rule_key():
    assert validate_rule("number", {"perturbations": False}) == []
    assert validate_rule("vector", {"perturbations": True}) == []
    assert validate_rule("number", {"perturbations": "no"}) != []


def test_an_alternative_of_another_shape_is_not_reshaped_into_the_reference():
    exact = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    transposed_chain = [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    reference = Reference(
        exact={"M": exact},
        alternatives={"M": {"transpose:W": {"value": transposed_chain, "feedback": "T."}}},
    )
    result = mark("[[1, 4, 2], [5, 3, 6]]", reference, DP2, kind="matrix", label="M")
    assert result.mistakes == ()


def test_a_column_alternative_of_a_vector_reference_is_compared():
    reference = Reference(
        exact={"v": [1.0, 2.0]},
        alternatives={"v": {"forgot:bias": {"value": [[0.5], [1.5]], "feedback": "No bias."}}},
    )
    assert mark("[0.5, 1.5]", reference, DP2, kind="vector", label="v").mistakes == ("forgot:bias",)


def test_alternative_is_right_uses_the_parts_tolerance_on_both_paths():
    part = PartSpec("J", "number", 2, DP2)
    reference = Reference(exact={"J": J_EXACT}, rounded={"J": 1.66})
    assert alternative_is_right(part, reference, 1.683)
    assert alternative_is_right(part, reference, 1.657)
    assert not alternative_is_right(part, reference, J_LOG10)


def test_a_chain_that_only_negates_the_answer_is_named_beside_the_plain_sign_error():
    reference = Reference(
        exact={"log_det": 0.7},
        alternatives={"log_det": {"sign:s": {"value": -0.7, "feedback": "Flipped s."}}},
    )
    result = mark("-0.70", reference, label="log_det")
    assert result.mistakes == ("sign:s", "sign")
    assert result.feedback == (
        "More than one mistake gives your answer. Flipped s. "
        "Or: Sign error: your answer is the negative of the expected value."
    )
    assert mark("-0.70", Reference(exact={"log_det": 0.7}), label="log_det").mistakes == ("sign",)


def _signs(values: dict[str, float]) -> Reference:
    return Reference(
        exact={"y": 0.2312},
        alternatives={
            "y": {
                f"sign:{name}": {
                    "value": value,
                    "feedback": f"Your y matches the answer you get with the sign of {name} "
                    "flipped (first wrong at step 1, u1).",
                }
                for name, value in values.items()
            }
        },
    )


def test_two_perturbed_chains_explaining_the_answer_are_both_named():
    result = mark("0.194", _signs({"W2": 0.1921, "u1": 0.1938}), label="y")
    assert result.mistakes == ("sign:W2", "sign:u1")
    assert result.feedback.startswith("More than one mistake gives your answer.")


def test_no_perturbed_chain_is_named_when_more_than_two_explain_the_answer():
    """At 2 d.p., sign flips at W2, u1 and u3 all give 0.19: none can be told to be the cause."""
    result = mark("0.194", _signs({"W2": 0.1921, "u1": 0.1938, "u3": 0.1940}), label="y")
    assert result.mistakes == ()
    assert result.feedback == "Incorrect."

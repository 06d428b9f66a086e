"""Error carried forward on seed 002, through the worker's marking path and the real sandbox.

Q3 (sizes, parameter counts and FLOPs of a CNN): wrong answers that make the solve with the
student's numbers fail (a zero divisor) or compute huge values (F1 = 1e300) are marked on the
exact and rounded paths; nothing is blamed on the question. Q2 (the 2-3-2-1 tanh network):
zeros collapse every later product and gradient to 0, which earns no carried-forward credit.
The right values are the paper's, from the notes of question.toml and by hand below.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from django.conf import settings

from exams.variant_marking import variant_answers_mark
from question_engine import build_variant, load_question

Q2 = "seed002-q2-mlp-forward-backward"
Q3 = "seed002-q3-conv-params-flops"
Q3_KEY = {
    "n1": "6",
    "d1": "12",
    "F1": "7",
    "p2": "1",
    "params1": "3534",
    "params2": "220",
    "params_fc": "320128",
    "dw_count": "12",
    "dw_size": "[1, 7, 7]",
    "pw_count": "6",
    "pw_size": "[12, 1, 1]",
    "flops_standard": "16941456",
    "flops_separable": "3169320",
    "flops_ratio": "0.187",
}


def variant_of(slug: str):
    q = load_question(settings.BANK_ROOT / slug)
    return q, build_variant(q, paper=True)


@pytest.fixture(scope="module")
def q2():
    return variant_of(Q2)


@pytest.fixture(scope="module")
def q3():
    return variant_of(Q3)


def mark(question_and_variant, answers: dict[str, str]):
    q, variant = question_and_variant
    reference = {
        "exact": variant.reference.exact,
        "rounded": variant.reference.rounded,
        "alternatives": variant.reference.alternatives,
    }
    return variant_answers_mark(
        definition=q,
        params=variant.params,
        reference=json.loads(json.dumps(reference)),
        answers=answers,
    ).parts


def statuses(parts) -> dict[str, str]:
    return {label: result.status for label, result in parts.items() if label in Q3_KEY}


def test_a_zero_standard_flop_count_is_simply_wrong(q3):
    parts = mark(q3, {**Q3_KEY, "flops_standard": "0"})
    assert statuses(parts) == {
        **{label: "correct" for label in Q3_KEY},
        "flops_standard": "incorrect",
    }
    assert parts["flops_ratio"].matched == "exact"


def test_what_was_carried_forward_before_the_failing_step_keeps_its_credit(q3):
    f1, d1, n1, size1 = 5, 12, 6, 49
    params1 = (d1 * f1 * f1 + 1) * n1
    separable = 2 * f1**2 * d1 * size1**2 + 2 * d1 * n1 * size1**2
    assert (params1, separable) == (1806, 1786344)
    answers = {
        **Q3_KEY,
        "F1": "5",
        "params1": "1806",
        "flops_standard": "0",
        "flops_separable": "1786344",
    }
    parts = mark(q3, answers)
    assert parts["F1"].status == parts["flops_standard"].status == "incorrect"
    for label in ("params1", "flops_separable"):
        assert (parts[label].status, parts[label].matched) == ("correct", "carried_forward")
    assert parts["flops_ratio"].matched == "exact"


def test_a_huge_filter_size_is_wrong_and_the_rest_is_marked(q3):
    assert (12 * 10**300 * 10**300 + 1) * 6 > 10**600
    parts = mark(q3, {**Q3_KEY, "F1": "1e300"})
    assert statuses(parts) == {**{label: "correct" for label in Q3_KEY}, "F1": "incorrect"}
    assert parts["params1"].matched == "exact"


def zero_answers(variant) -> dict[str, str]:
    """0 of every asked quantity's shape, the weights copied from the statement and y = 0.5."""
    answers = {}
    for name, value in variant.reference.exact.items():
        answers[name] = json.dumps(np.zeros(np.shape(value)).tolist()) if np.ndim(value) else "0"
    p = variant.params
    return {**answers, "W1": str(p["W1"]), "W2": str(p["W2"]), "W3": str(p["W3"]), "y": "0.5"}


def test_zeros_after_copied_weights_earn_only_the_weights(q2):
    q, variant = q2
    parts = mark(q2, zero_answers(variant))
    earned = {label: result.score for label, result in parts.items() if result.score}
    assert earned == {"W1": 1.0, "W2": 1.0, "W3": 1.0}
    assert not any(result.matched == "carried_forward" for result in parts.values())
    assert all("carried forward" not in result.feedback for result in parts.values())


def test_carried_forward_from_a_wrong_first_layer_still_earns_credit(q2):
    q, variant = q2
    u1 = [1.0, -4.7, 3.6]
    assert variant.reference.exact["u1"] == pytest.approx([1.3, -4.7, 3.6])
    h1 = [round(math.tanh(u), 2) for u in u1]
    assert h1 == [0.76, -1.0, 1.0]
    parts = mark(q2, {"u1": str(u1), "h1": str(h1)})
    assert parts["u1"].status == "incorrect"
    assert (parts["h1"].status, parts["h1"].matched) == ("correct", "carried_forward")


def test_a_chain_saturated_on_purpose_earns_no_credit_for_its_ones(q2):
    """The re-attack's answers: a huge h2 saturates the sigmoid (u3 ≈ 300, so y = 1 exactly),
    and h1 = 0 makes 1 − h1² = 1: y, g_u3 and dh1 then come out as 1 without a logarithm or
    exponential being worked out, and earn nothing carried forward."""
    _, variant = q2
    answers = {
        **zero_answers(variant),
        "h2": "[100, -100]",
        "dh1": "[1, 1, 1]",
        "dh2": "[1, 1]",
        "y": "1",
        "J": "0",
        "g_u3": "1",
        "g_b3": "1",
    }
    parts = mark(q2, answers)
    for label in ("y", "dh1", "g_u3", "g_b3"):
        assert parts[label].matched != "carried_forward", (label, parts[label].feedback)
        assert parts[label].score == 0.0, label

"""Seed 002: cross-entropy in log10 (Q2 J) and positional encoding in degree mode (Q4 pe) get
named feedback from the solver's perturbed runs, with no hand-written hint on those parts.

The wrong answers are computed here by hand from the paper's numbers, not by the solver.
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
Q4 = "seed002-q4-rnn-posenc"


def question(slug: str):
    return load_question(settings.BANK_ROOT / slug)


def stored_reference(variant, *, with_alternatives: bool = True) -> dict:
    """The reference as the database keeps it (JSON), optionally as built before this change."""
    reference = {"exact": variant.reference.exact, "rounded": variant.reference.rounded}
    if with_alternatives:
        reference["alternatives"] = variant.reference.alternatives
    return json.loads(json.dumps(reference))


def paper_output_y(p: dict) -> float:
    """The network's output y for the paper's weights, written out by hand."""
    x, b = np.array(p["x"]), p["b"]
    h1 = np.tanh(np.array(p["W1"]).T @ x + b)
    h2 = np.tanh(np.array(p["W2"]).T @ h1 + b)
    u3 = float(np.array(p["W3"]) @ h2 + b)
    return 1.0 / (1.0 + math.exp(-u3))


def paper_encoding_in_degrees(pos: int, d_model: int) -> list[float]:
    values = []
    for dim in range(11):
        angle_degrees = pos / 10000 ** (2 * (dim // 2) / d_model)
        trig = math.sin if dim % 2 == 0 else math.cos
        values.append(trig(math.radians(angle_degrees)))
    return values


@pytest.fixture(scope="module")
def q2():
    q = question(Q2)
    return q, build_variant(q, paper=True)


@pytest.fixture(scope="module")
def q4():
    q = question(Q4)
    return q, build_variant(q, paper=True)


def test_the_two_parts_carry_no_hand_written_hints():
    for slug, label in ((Q2, "J"), (Q4, "pe")):
        rule = question(slug).part(label).rule
        assert "mistake_hints" not in rule and "anticipated" not in rule


def test_cross_entropy_in_log10_is_named_with_its_step(q2):
    q, variant = q2
    p = q.paper_params
    assert p["d"] == 0
    y = paper_output_y(p)
    assert -math.log(1 - y) == pytest.approx(variant.reference.exact["J"])
    j_log10 = -math.log10(1 - y)
    assert f"{j_log10:.2f}" == "0.73"
    result = variant_answers_mark(
        definition=q,
        params=variant.params,
        reference=stored_reference(variant),
        answers={"J": "0.73"},
    ).parts["J"]
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert result.mistakes == ("log10_for_ln",)
    assert result.feedback == (
        "Your J matches the answer you get using log₁₀ instead of ln (first wrong at step 10, J)."
    )


def test_log10_after_rounding_y_like_key_002_is_named_too(q2):
    q, variant = q2
    j_log10_rounded = -math.log10(1 - round(paper_output_y(q.paper_params), 2))
    assert f"{j_log10_rounded:.2f}" == "0.72"
    result = variant_answers_mark(
        definition=q,
        params=variant.params,
        reference=stored_reference(variant),
        answers={"J": "0.72"},
    ).parts["J"]
    assert result.mistakes == ("log10_for_ln",)


def test_log2_is_named_and_the_right_answers_stay_correct(q2):
    q, variant = q2
    j_log2 = -math.log2(1 - paper_output_y(q.paper_params))
    marked = variant_answers_mark(
        definition=q,
        params=variant.params,
        reference=stored_reference(variant),
        answers={"J": f"{j_log2:.2f}", "y": "0.81"},
    )
    assert marked.parts["J"].mistakes == ("log2_for_ln",)
    assert marked.parts["y"].status == "correct"
    for right in ("1.68", "1.66"):
        answer = {"J": right}
        got = variant_answers_mark(
            definition=q,
            params=variant.params,
            reference=stored_reference(variant),
            answers=answer,
        )
        assert got.parts["J"].status == "correct"


def test_positional_encoding_in_degree_mode_is_named(q4):
    q, variant = q4
    p = q.paper_params
    degrees = paper_encoding_in_degrees(p["pos"], p["d_model"])
    answer = "[" + ", ".join(f"{v:.4f}" for v in degrees) + "]"
    assert answer.startswith("[0.0872, 0.9962, 0.0841,")
    result = variant_answers_mark(
        definition=q,
        params=variant.params,
        reference=stored_reference(variant),
        answers={"pe": answer},
    ).parts["pe"]
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert result.mistakes == ("degrees",)
    assert result.feedback == (
        "Your pe matches the answer you get with angles read in degrees instead of radians "
        "(first wrong at step 8, pe)."
    )


def test_variants_stored_before_perturbations_still_name_both_mistakes(q2, q4):
    (q2_def, q2_variant), (q4_def, q4_variant) = q2, q4
    j = variant_answers_mark(
        definition=q2_def,
        params=q2_variant.params,
        reference=stored_reference(q2_variant, with_alternatives=False),
        answers={"J": "0.73"},
    ).parts["J"]
    assert j.mistakes == ("log10_for_ln",)
    p = q4_def.paper_params
    degrees = paper_encoding_in_degrees(p["pos"], p["d_model"])
    pe = variant_answers_mark(
        definition=q4_def,
        params=q4_variant.params,
        reference=stored_reference(q4_variant, with_alternatives=False),
        answers={"pe": json.dumps([round(v, 4) for v in degrees])},
    ).parts["pe"]
    assert pe.mistakes == ("degrees",)

"""Seed 000 Q3: the two-layer backpropagation question's numbers, formulas and samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.conf import settings

from grader.parsing.expression import evaluate, parse_expression
from question_engine import build_variant, build_variants, load_question, validate_question
from question_engine.validation import mark_sample

SLUG = "seed000-q3-two-layer-backprop"
FORMULA_VARIABLES = frozenset({"w1", "w2", "x", "t"})


@pytest.fixture(scope="module")
def question():
    return load_question(settings.BANK_ROOT / SLUG)


@pytest.fixture(scope="module")
def paper(question):
    return build_variant(question, paper=True)


def test_paper_variant_matches_a_hand_computation(paper):
    x = np.array([1.0, -0.5, 2.0])
    W1 = np.array([[0.5, -1.0, 0.2], [-0.3, 0.8, 0.6]])
    W2 = np.array([[1.2, -0.7], [0.4, 0.9]])
    t = np.array([0.5, -0.5])
    a = np.array([1.4, 0.5])
    z = np.tanh(a)
    e = W2 @ z - t
    delta = (1 - z**2) * np.array([1.2 * e[0] + 0.4 * e[1], -0.7 * e[0] + 0.9 * e[1]])
    q = paper.quantities
    np.testing.assert_allclose(q["a"], W1 @ x)
    np.testing.assert_allclose(q["e"], e)
    assert q["E"] == pytest.approx(0.5 * (e[0] ** 2 + e[1] ** 2))
    np.testing.assert_allclose(q["delta"], delta)
    np.testing.assert_allclose(q["grad_W2"], np.outer(e, z))
    np.testing.assert_allclose(q["grad_W1"], [[d * xj for xj in x] for d in delta])


def test_paper_variant_numbers_to_three_decimals(paper):
    q = paper.quantities
    assert np.round(q["e"], 3).tolist() == [0.239, 1.27]
    assert round(q["E"], 3) == 0.835
    assert np.round(q["delta"], 3).tolist() == [0.172, 0.767]
    assert np.round(q["grad_W1"], 3).tolist() == [[0.172, -0.086, 0.344], [0.767, -0.384, 1.535]]
    assert paper.rounded_quantities["slope"] == [0.217, 0.787]
    assert (q["e_choice"], q["delta_choice"]) == ("a", "a")


def _formula_value(text: str, point: dict[str, float]) -> float:
    return evaluate(parse_expression(text, FORMULA_VARIABLES), point)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_scalar_formulas_are_the_derivatives_of_the_loss(question, seed):
    variant = build_variant(question, seed=seed)
    name = variant.params["activation"]
    h = math.tanh if name == "tanh" else (lambda u: 1 / (1 + math.exp(-u)))
    point = {"w1": 0.7, "w2": -1.3, "x": 0.9, "t": 0.4}

    def loss(w1: float, w2: float) -> float:
        return 0.5 * (w2 * h(w1 * point["x"]) - point["t"]) ** 2

    step = 1e-6
    numeric_w1 = (loss(0.7 + step, -1.3) - loss(0.7 - step, -1.3)) / (2 * step)
    numeric_w2 = (loss(0.7, -1.3 + step) - loss(0.7, -1.3 - step)) / (2 * step)
    assert _formula_value(variant.quantities["scalar_grad_w1"], point) == pytest.approx(
        numeric_w1, rel=1e-6
    )
    assert _formula_value(variant.quantities["scalar_grad_w2"], point) == pytest.approx(
        numeric_w2, rel=1e-6
    )


def test_choice_answers_follow_the_shuffled_options(question):
    for variant in build_variants(question, list(range(8))):
        for part in ("e", "delta"):
            shown = variant.params[f"{part}_order"]
            assert variant.quantities[f"{part}_choice"] == "abcd"[shown.index(0)]
        assert "\t" not in variant.statement_md
        assert "\\top" in variant.statement_md


def test_samples_get_their_expected_statuses(question):
    for sample in question.samples:
        result = mark_sample(question, sample)
        got = {label: result.parts[label].status for label in sample.expect}
        assert got == sample.expect, sample.name


def test_transposed_gradient_is_named(question):
    sample = next(s for s in question.samples if "transposed" in s.name)
    assert "transpose" in mark_sample(question, sample).parts["grad_W2"].mistakes


def test_question_validates_on_a_few_seeds(question):
    assert validate_question(question, seeds=5) == []

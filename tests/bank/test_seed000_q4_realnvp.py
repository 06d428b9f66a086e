"""Seed 000 Q4: the RealNVP coupling question inverts the flow and gets J, ln det J and the NLL."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.conf import settings

from grader.parsing.expression import evaluate, parse_expression
from question_engine import build_variant, build_variants, load_question, validate_question
from question_engine.validation import mark_sample

SLUG = "seed000-q4-realnvp-coupling"


@pytest.fixture(scope="module")
def question():
    return load_question(settings.BANK_ROOT / SLUG)


@pytest.fixture(scope="module")
def paper(question):
    return build_variant(question, paper=True)


def test_paper_variant_matches_a_hand_computation(paper):
    s = np.array([0.4 * 1.0 - 0.2 * -0.5 + 0.2, 0.1 * 1.0 + 0.3 * -0.5 - 0.1])
    b = np.array([0.5 * 1.0 + 1.0 * -0.5 + 0.3, -0.6 * 1.0 + 0.2 * -0.5 - 0.4])
    z_B = np.exp(-s) * (np.array([2.0, 1.5]) - b)
    q = paper.quantities
    np.testing.assert_allclose(q["s"], [0.7, -0.15])
    np.testing.assert_allclose(q["b"], [0.3, -1.1])
    np.testing.assert_allclose(q["z_B"], z_B)
    assert q["log_det"] == pytest.approx(-0.55)
    assert q["loss"] == pytest.approx(0.5 * (1.0 + 0.25 + z_B @ z_B) + 0.55)
    assert q["nll"] == pytest.approx(q["loss"] + 2 * math.log(2 * math.pi))
    assert np.round(q["z_B"], 3).tolist() == [0.844, 3.021]
    assert (round(q["loss"], 3), round(q["nll"], 3)) == (6.094, 9.770)


def _forward(z: np.ndarray, p: dict) -> np.ndarray:
    S, s0, B, b0 = (np.array(p[name]) for name in ("S", "s0", "B", "b0"))
    z_A, z_B = z[:2], z[2:]
    return np.concatenate([z_A, np.exp(S @ z_A + s0) * z_B + B @ z_A + b0])


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
def test_the_jacobian_is_the_derivative_of_the_inverse(question, seed):
    variant = (
        build_variant(question, paper=True) if seed is None else build_variant(question, seed=seed)
    )
    p, q = variant.params, variant.quantities
    x = np.array(p["x"])
    z = np.concatenate([x[:2], q["z_B"]])
    np.testing.assert_allclose(_forward(z, p), x, atol=1e-12)
    forward_jacobian = np.empty((4, 4))
    step = 1e-6
    for k in range(4):
        dz = np.zeros(4)
        dz[k] = step
        forward_jacobian[:, k] = (_forward(z + dz, p) - _forward(z - dz, p)) / (2 * step)
    inverse_jacobian = np.linalg.inv(forward_jacobian)
    np.testing.assert_allclose(inverse_jacobian[2:, :2], q["cross"], atol=1e-6)
    np.testing.assert_allclose(np.diag(inverse_jacobian)[2:], q["scale"], atol=1e-6)
    assert math.log(np.linalg.det(inverse_jacobian)) == pytest.approx(q["log_det"], abs=1e-6)


def test_the_scalar_formula_inverts_the_one_dimensional_layer(question):
    for variant in build_variants(question, [None, 0, 1, 2]):
        k, m, c = (variant.params[name] for name in ("k", "m", "c"))
        formula = parse_expression(variant.quantities["inverse_formula"], frozenset({"x_A", "x_B"}))
        for x_A, z_B in [(0.7, -1.2), (-1.5, 0.4)]:
            x_B = math.exp(k * x_A) * z_B + m * x_A + c
            assert evaluate(formula, {"x_A": x_A, "x_B": x_B}) == pytest.approx(z_B)


def test_samples_get_their_expected_statuses(question):
    for sample in question.samples:
        result = mark_sample(question, sample)
        got = {label: result.parts[label].status for label in sample.expect}
        assert got == sample.expect, sample.name


def test_slips_are_named(question):
    slips = mark_sample(question, next(s for s in question.samples if "slips" in s.name))
    assert "sign" in slips.parts["log_det"].mistakes
    assert "constant" in slips.parts["nll"].feedback
    transposed = mark_sample(question, next(s for s in question.samples if "transposed" in s.name))
    assert "transpose" in transposed.parts["cross"].mistakes


def test_question_validates_on_a_few_seeds(question):
    assert validate_question(question, seeds=5) == []

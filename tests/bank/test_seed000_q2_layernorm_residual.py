"""Seed 000 Q2: LayerNorm numbers, parameter count, statements and the residual block."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.conf import settings

from question_engine import build_variants, load_question, validate_question
from question_engine.validation import mark_sample

SLUG = "seed000-q2-layernorm-residual"
TRUE_STATEMENT_STARTS = (
    "The mean and variance are computed separately for each example",
    "The layer computes exactly the same thing",
    "Thanks to the learnable gain and shift",
)


@pytest.fixture(scope="module")
def question():
    return load_question(settings.BANK_ROOT / SLUG)


@pytest.fixture(scope="module")
def variants(question):
    return build_variants(question, [None, 0, 1, 2, 3])


def test_paper_variant_matches_a_hand_computation(variants):
    q = variants[0].quantities
    assert q["mean"] == [1.5, 1.0]
    assert q["var"] == pytest.approx(
        [(0.25 + 0.25 + 6.25 + 6.25) / 4, (0.25 + 2.25 + 0.25 + 2.25) / 4]
    )
    first_row = np.array([-0.5, 0.5, -2.5, 2.5]) / np.sqrt(3.25 + 1e-4)
    np.testing.assert_allclose(q["normalised"][0], first_row)
    np.testing.assert_allclose(
        q["output"][0], [1.5, 0.5, 1.2, 2.0] * first_row + [0.1, -0.2, 0.0, 0.3]
    )
    assert q["n_params"] == 1024
    assert q["hidden"] == pytest.approx([0.9, 0.0])
    assert q["block_output"] == pytest.approx([1.9, -1.73, -0.04])
    np.testing.assert_allclose(
        q["block_jacobian"], [[1.5, -0.3, -0.4], [0.15, 0.91, -0.12], [-0.3, 0.18, 1.24]]
    )


def test_normalised_rows_are_standardised(variants):
    for variant in variants:
        normalised = np.array(variant.quantities["normalised"])
        np.testing.assert_allclose(normalised.mean(axis=1), 0.0, atol=1e-12)
        assert np.all(np.abs(normalised.var(axis=1) - 1.0) < 1e-3)


def test_block_jacobian_matches_finite_differences(variants):
    for variant in variants:
        p = variant.params
        W1, W2, x = np.array(p["W1"]), np.array(p["W2"]), np.array(p["x"])

        def block(v: np.ndarray, W1=W1, W2=W2) -> np.ndarray:
            return W2 @ np.maximum(W1 @ v, 0.0) + v

        step = 1e-6
        numeric = np.column_stack(
            [(block(x + step * e) - block(x - step * e)) / (2 * step) for e in np.eye(3)]
        )
        np.testing.assert_allclose(variant.quantities["block_jacobian"], numeric, atol=1e-6)


def test_true_statements_are_the_labels_shown_before_them(variants):
    for variant in variants:
        shown = re.findall(r"- \*\*\((\w)\)\*\* (.+)", variant.statement_md)
        expected = sorted(label for label, text in shown if text.startswith(TRUE_STATEMENT_STARTS))
        assert variant.quantities["true_statements"] == expected


def test_samples_get_their_expected_statuses(question):
    for sample in question.samples:
        result = mark_sample(question, sample)
        got = {label: result.parts[label].status for label in sample.expect}
        assert got == sample.expect, sample.name


def test_question_validates_on_a_few_seeds(question):
    assert validate_question(question, seeds=5) == []

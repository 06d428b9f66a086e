"""Seed 003 Q1: every dimension agrees with an actual softmax forward/backward pass."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed003-q1-softmax-dimensions")


def test_paper_variant_dimensions():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact["data"] == [1000, 2353]
    assert exact["weight"] == exact["grad"] == [2353, 3]
    assert exact["probs"] == exact["adjusted"] == [1000, 3]
    assert exact["data_loss"] == exact["reg_loss"] == [1, 1]


@pytest.mark.parametrize("seed", [0, 4, 8])
def test_dimensions_match_a_real_pass(seed):
    variant = build_variant(QUESTION, seed=seed)
    p, exact = variant.params, variant.quantities
    n = min(p["samples"], 50)
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(n, p["channels"], p["height"], p["width"]))
    X = np.hstack([images.reshape(n, -1), np.ones((n, 1))])
    W = rng.normal(scale=0.01, size=(X.shape[1], p["classes"]))
    scores = X @ W
    P = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    Y = np.eye(p["classes"])[rng.integers(0, p["classes"], size=n)]
    grad = X.T @ (P - Y) / n + 2 * 0.1 * W
    assert [p["samples"], X.shape[1]] == exact["data"]
    assert list(W.shape) == exact["weight"]
    assert [p["samples"], P.shape[1]] == exact["probs"] == exact["adjusted"]
    assert list(grad.shape) == exact["grad"]


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

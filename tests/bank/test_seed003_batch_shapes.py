"""Seed 003 Q9: the batch shapes agree with an actual vectorised pass in torch."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed003-q9-batch-shapes")


@pytest.mark.parametrize("seed", [None, 1, 10])
def test_shapes_match_a_vectorised_pass(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    n, h, k, m = p["inputs"], p["hidden"], p["outputs"], p["batch"]
    X = torch.randn(n, m, dtype=torch.float64)
    W1 = torch.randn(h, n, dtype=torch.float64, requires_grad=True)
    b1 = torch.randn(h, 1, dtype=torch.float64)
    W2 = torch.randn(k, h, dtype=torch.float64, requires_grad=True)
    b2 = torch.randn(k, 1, dtype=torch.float64, requires_grad=True)
    Z1 = W1 @ X + b1
    A1 = torch.sigmoid(Z1)
    A1.retain_grad()
    Z2 = W2 @ A1 + b2
    Z2.retain_grad()
    A2 = torch.sigmoid(Z2)
    Y = torch.randint(0, 2, (k, m)).double()
    torch.nn.functional.binary_cross_entropy(A2, Y, reduction="sum").div(m).backward()
    assert exact["X"] == list(X.shape)
    assert exact["W1"] == list(W1.shape)
    assert exact["Z1"] == list(Z1.shape)
    assert exact["A2"] == list(A2.shape)
    assert exact["dZ2"] == list(Z2.grad.shape)
    assert exact["dW2"] == list(W2.grad.shape)
    assert exact["db2"] == list(b2.grad.shape)
    assert exact["dA1"] == list(A1.grad.shape)
    assert exact["dW1"] == list(W1.grad.shape)


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

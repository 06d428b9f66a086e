"""Seed 003 Q10: the autoencoder's loss, gradient and update against autograd."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed003-q10-autoencoder-slow-learning")


@pytest.mark.parametrize("seed", [None, 2, 9])
def test_loss_gradient_and_update_match_autograd(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    W1 = torch.tensor(p["W1"], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(p["x"], dtype=torch.float64)
    hidden = torch.sigmoid(W1 @ x + torch.tensor(p["b1"], dtype=torch.float64))
    out = torch.sigmoid(torch.tensor(p["W2"], dtype=torch.float64) @ hidden + torch.tensor(p["b2"]))
    loss = ((out - x) ** 2).sum()
    loss.backward()
    assert loss.item() == pytest.approx(exact["L"])
    assert W1.grad.tolist() == [pytest.approx(row) for row in exact["g_W1"]]
    updated = (W1 - p["alpha"] * W1.grad).tolist()
    assert updated == [pytest.approx(row) for row in exact["W1_new"]]


def test_a_zero_input_leaves_its_column_unchanged():
    variant = build_variant(QUESTION, paper=True)
    assert variant.params["x"][1] == 0.0
    assert [row[1] for row in variant.quantities["g_W1"]] == [0.0, 0.0, 0.0]


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

"""Seed 003 Q5: the weighted loss and gradient against torch's weighted BCE."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed003-q5-weighted-logistic-loss")


def test_paper_variant_weights():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact["alpha"] == 10.0
    assert exact["beta"] == pytest.approx(1000 / 1900)
    assert round(exact["loss"], 3) == 9.130


@pytest.mark.parametrize("seed", [None, 0, 6, 17])
def test_loss_and_gradient_match_torch(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    w = torch.tensor(p["w"], dtype=torch.float64, requires_grad=True)
    z = w @ torch.tensor(p["x"], dtype=torch.float64) + p["b"]
    target = torch.tensor(float(p["y"]), dtype=torch.float64)
    weight = exact["alpha"] if p["y"] == 1 else exact["beta"]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        z, target, weight=torch.tensor(weight, dtype=torch.float64)
    )
    loss.backward()
    assert loss.item() == pytest.approx(exact["loss"])
    assert w.grad.tolist() == pytest.approx(exact["g_w"])


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

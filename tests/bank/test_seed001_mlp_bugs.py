"""Seed 001 Q7: parameter count, the tanh confidence cap and Adam's first step, checked in torch."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings
from torch import nn

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q7-mlp-bugs-residual-sign")


def test_paper_variant_numbers():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact["n_params"] == 1_707_274
    assert round(exact["max_prob"], 3) == 0.451
    assert round(exact["min_loss"], 3) == 0.797
    assert exact["step_ratio"] == pytest.approx(10.0, abs=1e-4)


@pytest.mark.parametrize("seed", [None, 3, 8])
def test_numbers_match_torch(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    model = nn.Sequential(
        nn.Linear(p["inputs"], p["hidden1"]),
        nn.Linear(p["hidden1"], p["hidden2"]),
        nn.Linear(p["hidden2"], p["classes"]),
    )
    assert sum(w.numel() for w in model.parameters()) == exact["n_params"]
    best_logits = -torch.ones(p["classes"], dtype=torch.float64)
    best_logits[0] = 1.0
    log_probs = torch.log_softmax(best_logits, 0)
    assert torch.exp(log_probs)[0].item() == pytest.approx(exact["max_prob"])
    assert -log_probs[0].item() == pytest.approx(exact["min_loss"])
    weight = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.Adam([weight], lr=p["lr"], betas=(0.9, 0.999), eps=1e-8)
    weight.grad = torch.tensor([p["grad"]], dtype=torch.float64)
    optimiser.step()
    assert abs(weight.item()) == pytest.approx(exact["adam_step"])
    assert exact["step_ratio"] == pytest.approx(exact["adam_step"] / p["init_std"])


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

"""Seed 003 Q6-Q8: the Siamese forward pass and the shared-weight gradient against autograd."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed003-q6-siamese-network")


def tensor(values, grad: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=grad)


@pytest.mark.parametrize("seed", [None, 0, 3, 12])
def test_forward_and_gradient_match_autograd(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    W1, b1 = tensor(p["W1"], grad=True), tensor(p["b1"], grad=True)
    branch = lambda x: torch.relu(W1 @ tensor(x) + b1)  # noqa: E731
    z2 = tensor(p["W2"]) @ (branch(p["x_A"]) - branch(p["x_B"])) + p["b2"]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z2, tensor(float(p["y"])))
    loss.backward()
    assert z2.item() == pytest.approx(exact["z2"])
    assert loss.item() == pytest.approx(exact["L"])
    assert W1.grad.tolist() == [pytest.approx(row) for row in exact["g_W1"]]


def test_paper_variant_values():
    exact = build_variant(QUESTION, paper=True).quantities
    assert [round(v, 3) for v in exact["a1"]] == [-1.7, 0.9, -0.2]
    assert round(exact["z2"], 3) == -2.44
    assert round(exact["a2"], 3) == 0.080
    assert round(exact["L"], 3) == 2.524


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

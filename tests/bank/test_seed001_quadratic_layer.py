"""Seed 001 Q2: keys, parameter counts, and forward/backward values checked with autograd."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q2-quadratic-layer")


def test_paper_variant_keys_and_counts():
    exact = build_variant(QUESTION, paper=True).quantities
    letters = [exact[k] for k in ("lam0", "bias_role", "symmetric", "ratio", "omega")]
    assert letters == ["c", "a", "b", "c", "a"]
    assert (exact["pq"], exact["pl"]) == (264, 44)


@pytest.mark.parametrize("seed", [0, 5, 9])
def test_parameter_ratio_is_half_m_plus_one(seed):
    variant = build_variant(QUESTION, seed=seed)
    exact, M = variant.quantities, variant.params["M"]
    assert exact["pq"] / exact["pl"] == pytest.approx(M / 2 + 1)


@pytest.mark.parametrize("seed", [None, 1, 4])
def test_forward_and_gradients_match_autograd(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    x = torch.tensor(p["x"], dtype=torch.float64, requires_grad=True)
    A = torch.tensor(p["A"], dtype=torch.float64, requires_grad=True)
    B, c = torch.tensor(p["B"], dtype=torch.float64), torch.tensor(p["c"], dtype=torch.float64)
    y = p["lam"] * torch.einsum("i,kij,j->k", x, A, x) + B @ x + c
    (y @ torch.tensor(p["g"], dtype=torch.float64)).backward()
    assert y.tolist() == pytest.approx(exact["y"])
    assert x.grad.tolist() == pytest.approx(exact["grad_x"])
    assert A.grad[0].tolist() == [pytest.approx(row) for row in exact["grad_A1"]]


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

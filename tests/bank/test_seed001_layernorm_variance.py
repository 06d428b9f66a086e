"""Seed 001 Q6: the variance rules, checked against a Monte Carlo run of real LayerNorm blocks."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q6-layernorm-variance")
TOKENS, FEATURES = 256, 512


def orthogonal(generator: torch.Generator) -> torch.Tensor:
    """A random orthogonal map: keeps the variance, nearly uncorrelated with its input."""
    q, _ = torch.linalg.qr(
        torch.randn(FEATURES, FEATURES, generator=generator, dtype=torch.float64)
    )
    return q


def simulated_variances(s: float, t: float, pre_ln: bool) -> tuple[float, float]:
    """Output feature variance and input gradient variance of one simulated encoder block."""
    generator = torch.Generator().manual_seed(0)
    mha, ffn = orthogonal(generator), orthogonal(generator)
    x = s**0.5 * torch.randn(TOKENS, FEATURES, generator=generator, dtype=torch.float64)
    x.requires_grad_(True)
    norm = lambda v: F.layer_norm(v, (FEATURES,))  # noqa: E731
    if pre_ln:
        z = x + norm(x) @ mha
        out = z + norm(z) @ ffn
    else:
        z = norm(x + x @ mha)
        out = norm(z + z @ ffn)
    g = t**0.5 * torch.randn(TOKENS, FEATURES, generator=generator, dtype=torch.float64)
    out.backward(g)
    return out.var().item(), x.grad.var().item()


def test_paper_variant_gives_n01_n03_n01_n03():
    exact = build_variant(QUESTION, paper=True).quantities
    assert [exact[k] for k in ("post_fwd", "pre_fwd", "post_grad", "pre_grad")] == [
        [0.0, 1.0],
        [0.0, 3.0],
        [0.0, 1.0],
        [0.0, 3.0],
    ]


@pytest.mark.parametrize("seed", [None, 1, 6])
def test_solver_matches_simulated_blocks(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    s, t, exact = variant.params["s"], variant.params["t"], variant.quantities
    post_out, post_grad = simulated_variances(s, t, pre_ln=False)
    pre_out, pre_grad = simulated_variances(s, t, pre_ln=True)
    assert post_out == pytest.approx(exact["post_fwd"][1], rel=0.05)
    assert pre_out == pytest.approx(exact["pre_fwd"][1], rel=0.05)
    assert post_grad == pytest.approx(exact["post_grad"][1], rel=0.05)
    assert pre_grad == pytest.approx(exact["pre_grad"][1], rel=0.05)


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

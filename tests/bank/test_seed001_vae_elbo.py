"""Seed 001 Q8: the Gaussian KL against torch.distributions, ELBO terms and the KL directions."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings
from torch.distributions import Categorical, Normal, kl_divergence

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q8-vae-elbo-kl")


@pytest.mark.parametrize("seed", [None, 1, 5, 22])
def test_kl_values_match_torch(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    posterior = Normal(torch.tensor(p["mu"]).double(), torch.tensor(p["sigma"]).double())
    prior = Normal(torch.zeros(3).double(), torch.ones(3).double())
    assert kl_divergence(posterior, prior).sum().item() == pytest.approx(exact["kl"])
    assert exact["elbo"] == pytest.approx(p["recon"] - exact["kl"])
    assert exact["l_beta"] == pytest.approx(p["recon"] - p["beta"] * exact["kl"])
    dist_p = Categorical(probs=torch.tensor(p["p_dist"]).double())
    dist_q = Categorical(probs=torch.tensor(p["q_dist"]).double())
    assert kl_divergence(dist_p, dist_q).item() == pytest.approx(exact["kl_pq"])
    assert kl_divergence(dist_q, dist_p).item() == pytest.approx(exact["kl_qp"])


def test_mode_mean_pair_follows_the_swap():
    letters = {}
    for seed in range(10):
        variant = build_variant(QUESTION, seed=seed)
        letters[variant.params["swap"]] = variant.quantities["seeking"]
    assert letters == {False: "B", True: "C"}


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

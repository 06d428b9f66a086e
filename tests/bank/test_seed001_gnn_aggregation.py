"""Seed 001 Q3: permutation invariance key and neighbourhood aggregations."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q3-gnn-aggregation")
ORDER_FREE = ("sum", "mean", "maximum", "minimum", "product")


def test_paper_variant_keys():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact["property"] == "a"
    assert exact["invariant"] == "a, b, c"
    assert exact["agg_sum"] == pytest.approx([-0.5, 2.0, 1.5])
    assert exact["agg_max"] == [1.0, 1.5, 2.0]


@pytest.mark.parametrize("seed", [0, 7, 19])
def test_ticked_aggregators_are_the_order_free_ones(seed):
    variant = build_variant(QUESTION, seed=seed)
    block = variant.statement_md.split("**Aggregators.**")[1].split("**Numbers.**")[0]
    shown = dict(re.findall(r"^- \(([a-e])\) the (.+)$", block, flags=re.MULTILINE))
    expected = [label for label, text in shown.items() if text.split()[0] == "element-wise"]
    assert all(text.split()[1].startswith(ORDER_FREE) for text in map(shown.get, expected))
    assert variant.quantities["invariant"] == ", ".join(expected)


@pytest.mark.parametrize("seed", [2, 13])
def test_aggregations_ignore_the_neighbour_order(seed):
    variant = build_variant(QUESTION, seed=seed)
    reordered = np.array(variant.params["reordered"])
    exact = variant.quantities
    assert reordered.sum(axis=0).tolist() == pytest.approx(exact["agg_sum"])
    assert reordered.mean(axis=0).tolist() == pytest.approx(exact["agg_mean"])
    assert reordered.max(axis=0).tolist() == exact["agg_max"]


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

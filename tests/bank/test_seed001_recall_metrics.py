"""Seed 001 Q5: metrics from the confusion counts and the weighted cross-entropy against torch."""

from __future__ import annotations

import pytest
import torch
from django.conf import settings

from grader import mark_part
from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q5-recall-weighted-loss")


def test_paper_variant_metrics():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact["recall"] == pytest.approx(0.8)
    assert exact["precision"] == pytest.approx(0.4)
    assert exact["accuracy"] == pytest.approx(0.93)
    assert exact["all_positive_accuracy"] == pytest.approx(0.05)


@pytest.mark.parametrize("seed", [None, 2, 7])
def test_metrics_and_weighted_loss(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    p, exact = variant.params, variant.quantities
    predicted = [1] * p["tp"] + [0] * p["fn"] + [1] * p["fp"] + [0] * p["tn"]
    actual = [1] * (p["tp"] + p["fn"]) + [0] * (p["fp"] + p["tn"])
    hits = [a == b for a, b in zip(predicted, actual, strict=True)]
    found = [h for h, a in zip(hits, actual, strict=True) if a == 1]
    assert exact["accuracy"] == pytest.approx(sum(hits) / len(hits))
    assert exact["recall"] == pytest.approx(sum(found) / len(found))
    labels = torch.tensor(p["labels"], dtype=torch.float64)
    weights = torch.where(labels == 1, p["w_pos"], p["w_neg"])
    loss = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p["probs"], dtype=torch.float64), labels, weight=weights
    )
    assert loss.item() == pytest.approx(exact["weighted_ce"])
    assert exact["recall"] != pytest.approx(exact["accuracy"], abs=0.01)


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []


def test_recall_is_asked_as_a_fraction_so_a_bare_percentage_is_named():
    variant = build_variant(QUESTION, paper=True)
    recall = next(part for part in QUESTION.part_specs() if part.label == "recall")
    assert "percent" not in recall.rule.get("mistake_hints", {})
    assert mark_part(recall, variant.reference, "0.8000").status == "correct"
    assert mark_part(recall, variant.reference, "80%").status == "correct"
    slip = mark_part(recall, variant.reference, "80")
    assert (slip.status, slip.mistakes) == ("incorrect", ("percent",))

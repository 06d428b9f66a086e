"""Seed 001 Q1: the keys follow the options through every shuffle."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q1-mcq-ssl-generative")
KEY_PHRASES = {
    "ssl": ["parameters of a supervised network", "annotated by hand"],
    "contrastive": ["*lower* temperature"],
    "generative": ["misused", "hard to judge"],
    "nerf": ["reconstructs a 3D scene"],
}
HEADINGS = {"ssl": "1a", "contrastive": "1b", "generative": "1c", "nerf": "1d"}


def shown_options(statement: str, item: str) -> dict[str, str]:
    """Option letter -> text for one item of a rendered statement."""
    block = statement.split(f"**{HEADINGS[item]}.**")[1].split("**1")[0]
    return dict(re.findall(r"^- \(([a-d])\) (.+)$", block, flags=re.MULTILINE))


def test_paper_variant_keys():
    exact = build_variant(QUESTION, paper=True).quantities
    assert exact == {"ssl": "b, d", "contrastive": "b", "generative": "b, c", "nerf": "a"}


@pytest.mark.parametrize("seed", [0, 3, 11, 27])
def test_key_letters_point_at_the_right_texts(seed):
    variant = build_variant(QUESTION, seed=seed)
    for item, phrases in KEY_PHRASES.items():
        options = shown_options(variant.statement_md, item)
        assert len(options) == 4
        ticked = [options[label] for label in variant.quantities[item].split(", ")]
        assert len(ticked) == len(phrases)
        assert all(any(phrase in text for text in ticked) for phrase in phrases)


def test_options_are_shuffled_across_variants():
    keys = {build_variant(QUESTION, seed=seed).quantities["nerf"] for seed in range(12)}
    assert len(keys) > 1


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

"""Seed 001 Q4: the practice statements' key follows the shuffle; prose parts go to a marker."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from question_engine import build_variant, load_question, validate_question

QUESTION = load_question(settings.BANK_ROOT / "seed001-q4-aae-label-prior")
TRUE_OPENINGS = ("With labels,", "Unlabelled images", "The reconstruction loss", "One mode per")


@pytest.mark.parametrize("seed", [None, 0, 5, 14])
def test_key_marks_exactly_the_true_statements(seed):
    variant = build_variant(QUESTION, paper=seed is None, seed=seed)
    block = variant.statement_md.split("**Check your understanding.**")[1]
    shown = dict(re.findall(r"^- \(([a-e])\) (.+)$", block, flags=re.MULTILINE))
    assert len(shown) == 5
    expected = [label for label, text in shown.items() if text.startswith(TRUE_OPENINGS)]
    assert variant.quantities["true_statements"] == ", ".join(expected)


def test_prose_parts_have_model_answers_and_rubrics():
    prose = [part for part in QUESTION.parts if part.kind == "text"]
    assert [part.source_part for part in prose] == ["4a", "4b", "4c", "4d", "4e"]
    assert all(part.model_answer and part.rubric for part in prose)


def test_validates_with_its_samples():
    assert validate_question(QUESTION, seeds=5) == []

"""Seed 000 Q1: the key's letters on the paper's order, shuffled options elsewhere, samples."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from question_engine import build_variant, build_variants, load_question, validate_question
from question_engine.validation import mark_sample

SLUG = "seed000-q1-multiple-choice"
RIGHT_OPTION_TEXT = (
    "$O(N^2 L)$",
    "$p(x^{(1)})\\, p(x^{(2)}) \\cdots p(x^{(N)})$",
    "symmetry under translations",
    "it correlates tokens with one another",
)


@pytest.fixture(scope="module")
def question():
    return load_question(settings.BANK_ROOT / SLUG)


def test_paper_variant_gives_the_keys_letters(question):
    quantities = build_variant(question, paper=True).quantities
    assert [quantities[f"item{n}"] for n in range(1, 5)] == ["b", "b", "a", "b"]


def _shown_label(statement: str, item: int, option_text: str) -> str:
    """The label the statement prints in front of `option_text` within the given item."""
    blocks = re.split(r"\*\*(?:I|II|III|IV)\.\*\*", statement)[1:]
    for line in blocks[item].splitlines():
        if option_text in line:
            return re.match(r"- \*\*\((\w)\)\*\*", line).group(1)
    raise AssertionError(f"option {option_text!r} not shown in item {item + 1}")


def test_the_reference_is_the_label_printed_before_the_right_option(question):
    variants = build_variants(question, [None, *range(6)])
    for variant in variants:
        for item, text in enumerate(RIGHT_OPTION_TEXT):
            label = variant.quantities[f"item{item + 1}"]
            assert _shown_label(variant.statement_md, item, text) == label
    letters = {tuple(v.quantities[f"item{n}"] for n in range(1, 5)) for v in variants}
    assert len(letters) > 1


def test_samples_get_their_expected_statuses(question):
    for sample in question.samples:
        result = mark_sample(question, sample)
        got = {label: result.parts[label].status for label in sample.expect}
        assert got == sample.expect, sample.name


def test_marks_add_up_to_the_papers_25(question):
    assert question.total_marks == 25


def test_question_validates_on_a_few_seeds(question):
    assert validate_question(question, seeds=5) == []

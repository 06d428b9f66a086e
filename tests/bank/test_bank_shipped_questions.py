"""Every question shipped in bank/ loads, validates (a few seeds) and its samples behave."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import discover_questions, render_markdown, validate_question
from question_engine.variants import build_variants

QUESTIONS = discover_questions(settings.BANK_ROOT)


def test_the_bank_ships_the_seed_002_paper_and_a_demo():
    slugs = {q.slug for q in QUESTIONS}
    assert {
        "demo-linear-neuron",
        "seed002-q1-short-answers",
        "seed002-q2-mlp-forward-backward",
        "seed002-q3-conv-params-flops",
        "seed002-q4-rnn-posenc",
    } <= slugs


SEEDS = 4
# Questions that train a network in every test job: validated on the paper variant and fewer
# seeds (each costs 25-70 s of two busy cores), with the slow tests.
SLOW_TO_VALIDATE = {"code-fix-mlp": 1}
VALIDATION_CASES = [
    pytest.param(q, marks=[pytest.mark.slow] if q.slug in SLOW_TO_VALIDATE else [], id=q.slug)
    for q in QUESTIONS
]


@pytest.mark.parametrize("q", VALIDATION_CASES)
def test_question_validates(q):
    assert validate_question(q, seeds=SLOW_TO_VALIDATE.get(q.slug, SEEDS)) == []


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.slug)
def test_question_texts_render_to_html(q):
    variant = build_variants(q, [1])[0]
    for text in [variant.statement_md, variant.solution_md, *variant.part_prompts.values()]:
        html = render_markdown(text)
        assert "{{" not in html and "{%" not in html
    assert q.source and q.notes.strip()

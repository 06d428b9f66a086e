"""Every code question's own adversarial samples ("cheats") earn nothing, through the real sandbox.

Each code part lists its cheats under `[[parts.code.cheats]]` (see docs/code-questions.md):
memory and gc scans, frame inspection, monkeypatching, tensor subclasses, caching across calls,
constants, held-out data look-ups, banned autograd, brute force. The paper variant runs by
default; more variants run with the slow tests.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import build_variants, discover_questions, mark_code_part
from question_engine.code_parts import code_parts

QUESTIONS = [q for q in discover_questions(settings.BANK_ROOT) if code_parts(q)]
CHEATS = [
    pytest.param(q, part.label, cheat, id=f"{q.slug}:{part.label}:{cheat.name}")
    for q in QUESTIONS
    for part in code_parts(q)
    for cheat in part.cheats
]


def test_every_shipped_code_question_carries_cheats():
    bare = [q.slug for q in QUESTIONS if not any(part.cheats for part in code_parts(q))]
    assert bare == [], f"code questions without adversarial samples: {bare}"


@pytest.mark.parametrize(("q", "label", "cheat"), CHEATS)
def test_a_cheat_scores_nothing_on_the_paper_variant(q, label, cheat):
    params = dict(q.paper_params) if q.paper_params else build_variants(q, [1])[0].params
    result = mark_code_part(q, label, params, cheat.source)
    assert result.score == 0.0, f"{cheat.attack}\n{result.feedback}"


@pytest.mark.slow
@pytest.mark.parametrize(("q", "label", "cheat"), CHEATS)
def test_a_cheat_scores_nothing_on_random_variants(q, label, cheat):
    for variant in build_variants(q, [11, 12]):
        result = mark_code_part(q, label, variant.params, cheat.source)
        assert result.score == 0.0, f"{cheat.attack}\n{result.feedback}"

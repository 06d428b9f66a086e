"""The positional-encoding code question through the real sandbox."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import build_variant, load_question, mark_code_part
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-positional-encoding")
PART = code_part(Q, "encoding")
PAPER = dict(Q.paper_params)


def test_loop_solution_scores_full_marks_on_the_paper_variant():
    result = mark_code_part(Q, "encoding", PAPER, PART.solution)
    assert result.status == "correct", result.feedback


@pytest.mark.parametrize("wrong", PART.wrong, ids=lambda wrong: wrong.name)
def test_each_typical_mistake_gets_its_own_hint(wrong):
    result = mark_code_part(Q, "encoding", PAPER, wrong.source)
    assert result.score == 0.0
    values = result.details[0]
    assert values["hints"] == [wrong.hint]


def test_float64_tables_fail_on_dtype_first():
    source = PART.reference.replace("return table.float()", "return table")
    result = mark_code_part(Q, "encoding", PAPER, source)
    assert "the dtype is float64, expected float32" in result.feedback


def test_worked_solution_reproduces_the_exam_s_values():
    solution = build_variant(Q, paper=True).solution_md
    assert "-0.9939" in solution and "0.1107" in solution

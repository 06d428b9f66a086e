"""The quadratic-layer code question through the real sandbox: formula, learnable, symmetric."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-quadratic-layer")
PART = code_part(Q, "layer")
PAPER = dict(Q.paper_params)
NEGATIVE = {**PAPER, "inputs": 3, "outputs": 2, "lam": -1.0, "batch": 5, "data_seed": 11}
WRONG = {wrong.name: wrong for wrong in PART.wrong}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


@pytest.mark.parametrize("params", [PAPER, NEGATIVE], ids=["paper", "negative_lambda"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "layer", params, PART.solution)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback


def test_forgetting_lambda_loses_the_value_points_with_its_hint():
    result = mark_code_part(Q, "layer", NEGATIVE, WRONG["forgets_lambda"].source)
    # No value is right, so the parameter and symmetry checks earn nothing either.
    assert failed(result) == {
        "values",
        "hidden test 1",
        "gradients",
        "keeps_float32",
        "learnable_parameters",
        "symmetric",
    }
    assert result.score == 0.0
    values = next(d for d in result.details if d["name"] == "values")
    assert values["hints"] == [WRONG["forgets_lambda"].hint]


def test_an_asymmetric_initial_A_fails_only_the_symmetry_check():
    result = mark_code_part(Q, "layer", PAPER, WRONG["asymmetric_init"].source)
    assert failed(result) == {"symmetric"}
    assert "A is not symmetric, so gradient steps would not keep it symmetric" in result.feedback


def test_A_as_a_plain_tensor_is_not_learnable():
    result = mark_code_part(Q, "layer", PAPER, WRONG["plain_tensor_A"].source)
    assert failed(result) == {"gradients", "learnable_parameters", "symmetric"}
    assert "no registered parameter named A (registered: b, c)" in result.feedback
    assert WRONG["plain_tensor_A"].hint in result.feedback


def test_using_only_the_upper_triangle_breaks_symmetry_after_a_step():
    source = PART.solution.replace(
        "Ax = torch.matmul(self.A, x.T)",
        "A = self.A.triu() + self.A.triu(1).transpose(1, 2)\n        Ax = torch.matmul(A, x.T)",
    )
    result = mark_code_part(Q, "layer", PAPER, source)
    assert failed(result) == {"gradients", "symmetric"}
    assert "the gradient of A is not symmetric" in result.feedback


def test_a_matrix_symmetric_only_in_the_symmetry_test_is_caught():
    """A layer whose A is symmetric only in the job without set_parameters (found in the
    callers' frames) is caught by the A that every other job constructed."""
    source = (Path(__file__).parent / "samples" / "quadratic_symmetric_when_checked.py").read_text()
    result = mark_code_part(Q, "layer", PAPER, source)
    assert failed(result) == {"symmetric"}
    assert "A as constructed in test `values` is not symmetric" in result.feedback

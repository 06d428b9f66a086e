"""The RealNVP coupling-layer code question through the real sandbox."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part, validate_question
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-realnvp-coupling")
PART = code_part(Q, "coupling")
PAPER = dict(Q.paper_params)
UNEVEN = {**PAPER, "dim": 5, "split": 1, "hidden": 16, "data_seed": 99}
WRONG = {wrong.name: wrong for wrong in PART.wrong}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


@pytest.mark.parametrize("params", [PAPER, UNEVEN], ids=["paper", "uneven_split"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "coupling", params, PART.solution)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback


def test_forward_map_log_determinant_is_a_sign_flip_of_autograd_s():
    result = mark_code_part(Q, "coupling", UNEVEN, WRONG["logdet_sign"].source)
    assert failed(result) == {"log_det"}
    assert "sign flipped" in result.feedback
    assert WRONG["logdet_sign"].hint in result.feedback


def test_shift_after_scaling_breaks_the_inverse_and_the_round_trip():
    result = mark_code_part(Q, "coupling", PAPER, WRONG["shift_after_scaling"].source)
    assert failed(result) == {"inverse_values", "hidden test 1"}
    assert WRONG["shift_after_scaling"].hint in result.feedback
    assert result.score == pytest.approx(5.0)


def test_unsummed_log_determinant_is_a_shape_error():
    result = mark_code_part(Q, "coupling", PAPER, WRONG["logdet_per_dimension"].source)
    assert "the shape is (5, 2), expected (5,)" in result.feedback
    assert WRONG["logdet_per_dimension"].hint in result.feedback


def test_networks_kept_in_a_plain_list_lose_only_the_gradient_points():
    source = (
        PART.solution.replace(
            "self.s = s_net\n        self.b = b_net", "self.nets = [s_net, b_net]"
        )
        .replace("self.s(", "self.nets[0](")
        .replace("self.b(", "self.nets[1](")
    )
    result = mark_code_part(Q, "coupling", PAPER, source)
    assert failed(result) == {"gradients"}


def test_a_missing_inverse_method_says_what_to_define():
    source = PART.solution.replace("def inverse(self, x):", "def backward_map(self, x):")
    result = mark_code_part(Q, "coupling", PAPER, source)
    assert failed(result) == {"inverse_values", "hidden test 1"}


def test_question_validates():
    assert validate_question(Q, seeds=3) == []

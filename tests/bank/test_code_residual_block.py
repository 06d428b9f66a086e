"""The residual-block code question through the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-residual-block")
PART = code_part(Q, "block")
PAPER = dict(Q.paper_params)
PRE = {**PAPER, "norm": "pre", "scale": 0.5, "activation": "tanh"}
POST = {**PAPER, "norm": "post", "scale": 2.0}
WRONG = {wrong.name: wrong for wrong in PART.wrong}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


@pytest.mark.parametrize("params", [PAPER, PRE, POST], ids=["paper", "pre", "post"])
def test_shipped_solution_scores_full_marks(params):
    result = mark_code_part(Q, "block", params, PART.solution)
    assert result.status == "correct", result.feedback


def test_subtracting_the_branch_gets_its_hint():
    result = mark_code_part(Q, "block", PRE, WRONG["subtracts_branch"].source)
    # No value is right, so the property checks earn nothing either.
    assert failed(result) == {
        "values",
        "hidden test 1",
        "gradients",
        "registers_given_modules",
        "hidden test 2",
    }
    assert result.score == 0.0
    assert WRONG["subtracts_branch"].hint in result.feedback
    assert WRONG["no_skip"].hint not in result.feedback


def test_in_place_add_loses_the_gradient_and_input_checks():
    result = mark_code_part(Q, "block", POST, WRONG["in_place_add"].source)
    assert failed(result) == {"gradients", "hidden test 2"}
    assert "in-place operation" in result.feedback
    assert result.score == pytest.approx(6 * 4 / 7)


def test_a_block_that_does_not_register_the_mlp_loses_gradient_and_parameter_points():
    source = (
        "from torch import nn\n\n"
        "class ResidualBlock(nn.Module):\n"
        "    def __init__(self, mlp, scale=1.0):\n"
        "        super().__init__()\n"
        "        self.parts = [mlp]\n"
        "        self.scale = scale\n\n"
        "    def forward(self, x):\n"
        "        return x + self.scale * self.parts[0](x)\n"
    )
    result = mark_code_part(Q, "block", PAPER, source)
    assert failed(result) == {"gradients", "registers_given_modules"}


SAMPLES = Path(__file__).parent / "samples"


def test_re_classing_the_damaged_input_hides_nothing():
    """A block that zeroes its input in place and then swaps the input's class for one whose
    __array__ shows the old values scores what the plain in-place block scores."""
    plain = (SAMPLES / "residual_inplace_plain.py").read_text()
    rebranded = (SAMPLES / "residual_inplace_rebrand.py").read_text()
    honest = mark_code_part(Q, "block", PAPER, plain)
    disguised = mark_code_part(Q, "block", PAPER, rebranded)
    assert "hidden test 2" in failed(honest)
    assert disguised.score == honest.score < PART.marks

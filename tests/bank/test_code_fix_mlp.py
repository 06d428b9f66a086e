"""The fix-the-MLP code question: trained on the bundled digits in the real sandbox."""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part, validate_question
from question_engine.code_digits import digits_split
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-fix-mlp")
PART = code_part(Q, "fixed")
PAPER = dict(Q.paper_params)
SMALL = {"hidden": [256, 128], "dropout": 0.2, "lr": 0.05, "init_std": 0.005}
WRONG = {wrong.name: wrong for wrong in PART.wrong}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


def fixed_starter(params: dict) -> str:
    """The variant's starter with the three planted problems fixed the way a student would."""
    return (
        PART.starter(params)
        .replace("output_size),\n            nn.Tanh(),\n", "output_size),\n")
        .replace(f"p.data.normal_(std={params['init_std']})", "nn.init.xavier_normal_(p)")
        .replace(f"lr={params['lr']}", "lr=1e-3")
    )


def test_shipped_solution_scores_full_marks():
    result = mark_code_part(Q, "fixed", PAPER, PART.solution)
    assert (result.status, result.score) == ("correct", 7.0), result.feedback


def test_the_starter_with_its_three_problems_fixed_scores_full_marks():
    result = mark_code_part(Q, "fixed", SMALL, fixed_starter(SMALL))
    assert result.status == "correct", result.feedback


def test_the_broken_starter_fails_every_check():
    result = mark_code_part(Q, "fixed", PAPER, PART.starter(PAPER))
    assert (result.status, result.score) == ("incorrect", 0.0)
    assert "confidence is 0.4" in result.feedback or "accuracy is 0." in result.feedback
    assert "squashed_output is True" in result.feedback
    assert "lr is 0.1, above the allowed maximum 0.01." in result.feedback


def test_keeping_the_tanh_output_trains_accurately_but_never_confidently():
    result = mark_code_part(Q, "fixed", PAPER, WRONG["keeps_tanh_output"].source)
    assert failed(result) == {"trains_on_digits", "output_not_squashed"}
    assert "confidence is 0.4" in result.feedback
    assert "accuracy" not in result.feedback.split("output_not_squashed")[0]


def test_an_sgd_optimizer_loses_the_optimizer_check():
    source = PART.solution.replace(
        "torch.optim.Adam(model.parameters(), lr=2e-3)",
        "torch.optim.SGD(model.parameters(), lr=2e-3)",
    )
    result = mark_code_part(Q, "fixed", PAPER, source)
    assert "learning_rate" in failed(result)
    assert "optimizer is 'SGD', expected one of 'Adam', 'AdamW'." in result.feedback


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return MyMLP()", "return a pair (model, optimizer)"),
        ("return MyMLP(), 0.001", "the optimizer must be a torch.optim optimizer, not float"),
    ],
)
def test_a_wrong_return_value_says_what_to_return(body, message):
    source = PART.solution.replace(
        "    model = MyMLP()\n    return model, torch.optim.Adam(model.parameters(), lr=2e-3)",
        "    " + body,
    )
    result = mark_code_part(Q, "fixed", PAPER, source)
    assert result.status == "incorrect" and message in result.feedback


def test_held_out_labels_are_not_part_of_the_job_data():
    split = digits_split()
    assert set(split.job_data()) == {"x_train", "y_train", "x_test"}
    assert len(split.x_test) == len(split.y_test) == 360


@pytest.mark.slow
def test_question_validates():
    assert validate_question(Q, seeds=1) == []

"""The fix-the-MLP code question: trained on each variant's disguised digits in the real sandbox."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part
from question_engine.code_digits import digits_split
from question_engine.code_parts import code_part

Q = load_question(settings.BANK_ROOT / "code-fix-mlp")
PART = code_part(Q, "fixed")
PAPER = dict(Q.paper_params)
SMALL = {
    "hidden": [256, 128],
    "dropout": 0.2,
    "lr": 0.05,
    "init_std": 0.005,
    "data_seed": 987654321,
}
WRONG = {wrong.name: wrong for wrong in PART.wrong}
EVERY_TEST = {"trains_on_digits", "output_not_squashed", "init_scale", "learning_rate"}
CHEATS = {cheat.name: cheat for cheat in PART.cheats}


def failed(result) -> set[str]:
    return {detail["name"] for detail in result.details if not detail["passed"]}


def detail(result, name: str) -> dict:
    return next(d for d in result.details if d["name"] == name)


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
    assert failed(result) == EVERY_TEST
    assert "squashed_output is True" in detail(result, "output_not_squashed")["message"]
    assert "init_scale is 0.0" in detail(result, "init_scale")["message"]
    message = detail(result, "learning_rate")["message"]
    assert "lr is 0.1, above the allowed maximum 0.01." in message


def test_keeping_the_tanh_output_trains_accurately_but_never_confidently():
    result = mark_code_part(Q, "fixed", PAPER, WRONG["keeps_tanh_output"].source)
    assert failed(result) == EVERY_TEST
    training = detail(result, "trains_on_digits")["message"]
    assert "confidence is 0.4" in training and "accuracy" not in training
    assert "squashed_output is True" in detail(result, "output_not_squashed")["message"]
    assert "earns its points only together" in detail(result, "init_scale")["message"]


def test_keeping_the_small_initialisation_loses_only_the_init_check():
    result = mark_code_part(Q, "fixed", PAPER, WRONG["keeps_small_init"].source)
    assert failed(result) == {"init_scale"}
    assert result.score == 6.0
    assert "init_scale is 0.0" in detail(result, "init_scale")["message"]


def test_an_sgd_optimizer_loses_the_optimizer_check():
    source = PART.solution.replace(
        "torch.optim.Adam(model.parameters(), lr=2e-3)",
        "torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
    )
    result = mark_code_part(Q, "fixed", PAPER, source)
    assert "learning_rate" in failed(result), result.feedback
    assert "update is 'sgd-like', expected 'adam-like'." in result.feedback


def test_an_optimizer_over_part_of_the_model_loses_the_optimizer_check():
    source = PART.solution.replace(
        "torch.optim.Adam(model.parameters(), lr=2e-3)",
        "torch.optim.Adam(model.layers[0].parameters(), lr=2e-3)",
    )
    result = mark_code_part(Q, "fixed", PAPER, source)
    assert "optimizes_all_parameters is False, expected True." in result.feedback


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


@pytest.mark.parametrize("name", ["lying_identity", "lying_linear", "lying_adam"])
def test_a_model_that_lies_about_itself_earns_nothing(name):
    result = mark_code_part(Q, "fixed", PAPER, CHEATS[name].source)
    assert result.score == 0.0 and "trains_on_digits" in failed(result), result.feedback


def test_held_out_labels_are_not_part_of_the_job_data():
    split = digits_split(PAPER)
    assert set(split.job_data()) == {"x_train", "y_train", "x_test"}
    assert len(split.x_test) == len(split.y_test) == 360
    assert not any(np.shares_memory(split.y_test, value) for value in split.job_data().values())


def test_every_variant_draws_a_secret_data_seed_the_statement_does_not_show():
    assert isinstance(PAPER["data_seed"], int)
    assert "data_seed" not in Q.statement_template and "data_seed" not in PART.starter(SMALL)

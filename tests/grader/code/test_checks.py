"""Judging symmetric-parameter and training observations, and reading their spec fields."""

import numpy as np
import pytest

from grader.code import CodeSpecError, parse_code_tests
from grader.code.checks import judge


def tensor(values):
    array = np.asarray(values, dtype=np.float64)
    return {"type": "tensor", "dtype": "float64", "shape": list(array.shape), "values": array}


(SYMMETRIC,) = parse_code_tests(
    [{"name": "sym", "points": 1, "check": "symmetric", "names": ["A"]}]
)
(TRAINING,) = parse_code_tests(
    [
        {
            "name": "train",
            "points": 1,
            "check": "training",
            "training": {"epochs": 1, "outputs": "logits"},
            "expect": {"accuracy": {"min": 0.6}},
        }
    ]
)
SETUP = {
    "optimizer": "Adam",
    "learning_rates": [0.001],
    "parameters": [{"name": "w", "shape": [2, 2], "std": 0.5, "optimized": True}],
    "modules": ["Linear"],
}


def test_symmetric_matrices_before_and_after_the_step_pass():
    good = tensor([[[1.0, 2.0], [2.0, 3.0]]])
    assert judge(SYMMETRIC, {"initial": {"A": good}, "stepped": {"A": good}}, None).passed


def test_asymmetry_after_the_step_is_named():
    good, bad = tensor([[1.0, 2.0], [2.0, 3.0]]), tensor([[1.0, 2.5], [2.0, 3.0]])
    verdict = judge(SYMMETRIC, {"initial": {"A": good}, "stepped": {"A": bad}}, None)
    assert not verdict.passed and "not symmetric after one step" in verdict.message


def test_a_missing_or_non_square_parameter_fails_with_a_message():
    missing = judge(SYMMETRIC, {"initial": {}, "stepped": {}}, None)
    assert "no registered parameter named A" in missing.message
    vector = tensor([1.0, 2.0])
    flat = judge(SYMMETRIC, {"initial": {"A": vector}, "stepped": {"A": vector}}, None)
    assert "not a stack of square matrices" in flat.message


def test_training_accuracy_is_computed_from_the_labels_given_to_the_judge():
    observed = {"setup": SETUP, "outputs": tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]])}
    assert judge(TRAINING, observed, None, np.array([0, 1, 0])).passed
    verdict = judge(TRAINING, observed, None, np.array([1, 1, 1]))
    assert "accuracy is 0.3333, below the required minimum 0.6." in verdict.message
    assert "labels for this training test are missing" in judge(TRAINING, observed, None).message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "t", "points": 1, "check": "symmetric"}, "needs names"),
        ({"name": "t", "points": 1, "check": "forward", "then": "inverse"}, "then must be a list"),
    ],
)
def test_spec_errors_for_the_new_fields(raw, message):
    with pytest.raises(CodeSpecError, match=message):
        parse_code_tests([raw])

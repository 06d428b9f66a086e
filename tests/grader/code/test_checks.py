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


def _symmetry_observation(value, grad):
    row = {"name": "A", "shape": [1, 2, 2], "requires_grad": True, "values": value}
    return {"outputs": [], "parameters": [row], "param_grads": {"A": grad}, "changed": []}


def test_a_symmetric_parameter_with_a_symmetric_gradient_passes():
    good = tensor([[[1.0, 2.0], [2.0, 3.0]]])
    assert judge(SYMMETRIC, _symmetry_observation(good, good), None).passed


def test_an_asymmetric_parameter_or_gradient_is_named():
    good = tensor([[[1.0, 2.0], [2.0, 3.0]]])
    bad = tensor([[[1.0, 2.0], [0.0, 3.0]]])
    verdict = judge(SYMMETRIC, _symmetry_observation(bad, good), None)
    assert not verdict.passed and "A is not symmetric" in verdict.message
    verdict = judge(SYMMETRIC, _symmetry_observation(good, bad), None)
    assert not verdict.passed and "the gradient of A is not symmetric" in verdict.message


def test_a_missing_or_non_square_parameter_fails_with_a_message():
    missing = judge(SYMMETRIC, {"parameters": [], "param_grads": {}}, None)
    assert not missing.passed and "no registered parameter named A" in missing.message
    vector = tensor([1.0, 2.0])
    flat = judge(SYMMETRIC, _symmetry_observation(vector, vector), None)
    assert not flat.passed and "not a stack of square matrices" in flat.message


def test_training_accuracy_is_computed_from_the_labels_given_to_the_judge():
    observed = {"outputs": tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]])}
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

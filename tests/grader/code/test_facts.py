"""Facts derived outside the sandbox from raw model/optimizer records and held-out outputs."""

import math

import numpy as np
import pytest

from grader.code.facts import FactsUnreadable, prediction_facts, setup_facts, squashed_output


def setup(**changes):
    raw = {
        "optimizer": "Adam",
        "learning_rates": [0.001, 0.01],
        "parameters": [
            {"name": "0.weight", "shape": [16, 64], "std": 0.01, "optimized": True},
            {"name": "0.bias", "shape": [16], "std": 0.0, "optimized": True},
            {"name": "2.weight", "shape": [10, 16], "std": 0.25, "optimized": False},
        ],
        "modules": ["Linear", "ReLU", "Linear", "Tanh", "LogSoftmax"],
    }
    return {**raw, **changes}


def test_setup_facts_are_derived_from_the_raw_records():
    facts = setup_facts(setup())
    assert facts == {
        "optimizer": "Adam",
        "lr": 0.01,
        "optimizes_all_parameters": False,
        "init_scale": pytest.approx(0.01 * 8),
        "parameter_count": 16 * 64 + 16 + 160,
        "squashed_output": True,
    }


@pytest.mark.parametrize(
    ("modules", "squashed"),
    [
        (["Linear", "Tanh", "Linear", "LogSoftmax"], False),
        (["Linear", "Tanh", "Dropout", "Linear", "Sigmoid"], True),
        (["Linear", "ReLU", "Linear", "Dropout", "Tanh", "LogSoftmax"], True),
        ([], False),
    ],
)
def test_squashed_output_looks_only_after_the_last_linear_layer(modules, squashed):
    assert squashed_output(modules) is squashed


def test_a_model_without_weight_matrices_has_no_init_scale():
    facts = setup_facts(setup(parameters=[]))
    assert math.isnan(facts["init_scale"]) and facts["parameter_count"] == 0


@pytest.mark.parametrize(
    "changes",
    [{"optimizer": 3}, {"learning_rates": []}, {"parameters": [{"name": "w"}]}, {"modules": "x"}],
)
def test_unreadable_records_are_reported(changes):
    with pytest.raises(FactsUnreadable):
        setup_facts(setup(**changes))


def outputs(values):
    array = np.asarray(values, dtype=np.float64)
    return {"type": "tensor", "dtype": "float32", "shape": list(array.shape), "values": array}


def test_accuracy_and_confidence_come_from_outputs_and_trusted_labels():
    labels = np.array([0, 1, 1])
    log_probs = np.log([[0.7, 0.3], [0.4, 0.6], [0.9, 0.1]])
    facts = prediction_facts(outputs(log_probs), labels, "log_probs")
    assert facts["accuracy"] == pytest.approx(2 / 3)
    assert facts["confidence"] == pytest.approx((0.7 + 0.6 + 0.9) / 3)
    logits = prediction_facts(outputs([[2.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), labels, "logits")
    assert logits["confidence"] == pytest.approx((1 / (1 + math.exp(-2)) + 0.5 + 0.7310586) / 3)


def test_outputs_of_the_wrong_shape_or_with_nan_are_unreadable():
    labels = np.array([0, 1, 1])
    with pytest.raises(FactsUnreadable, match=r"expected \(3, 2\)"):
        prediction_facts(outputs([[0.0, 1.0]]), labels, "log_probs")
    with pytest.raises(FactsUnreadable, match="diverged"):
        prediction_facts(outputs([[0.0, np.nan]] * 3), labels, "log_probs")

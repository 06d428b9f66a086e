"""Facts derived outside the sandbox from raw model/optimizer records and held-out outputs."""

import math

import numpy as np
import pytest

from grader.code.facts import FactsUnreadable, prediction_facts, setup_facts

GRAD = np.array([0.01, -0.3, 2.0, -50.0, 90.0])
"""A sample of known gradient entries spanning four orders of magnitude."""


def adam_steps(lr: float = 1e-3) -> list[np.ndarray]:
    return [-lr * np.sign(GRAD)] * 3


def parameter(name="0.weight", steps=None, used=True, requires_grad=True, shape=(16, 64)):
    return {
        "name": name,
        "shape": list(shape),
        "requires_grad": requires_grad,
        "used": used,
        "grad": GRAD.copy(),
        "steps": adam_steps() if steps is None else steps,
    }


def layer(gain=0.58, affine=True, fan_in=64, fan_out=16, probed=True):
    return {"probed": probed, "fan_in": fan_in, "fan_out": fan_out, "affine": affine, "gain": gain}


def setup(**changes):
    raw = {
        "output": {"shape": [256, 10], "finite": True, "row_logsumexp": 2e-7},
        "score_range": 300.0,
        "layers": [layer(), layer(0.83, affine=False), layer(0.6, fan_in=16, fan_out=10)],
        "gaps": [1.0, 1.0, 1.0, 1.0],
        "parameters": [parameter(), parameter("0.bias", shape=(16,))],
    }
    return {**raw, **changes}


def test_setup_facts_are_derived_from_the_measurements():
    assert setup_facts(setup()) == {
        "log_probabilities": True,
        "squashed_output": False,
        "init_scale": pytest.approx(0.58),
        "update": "adam-like",
        "lr": pytest.approx(1e-3),
        "optimizes_all_parameters": True,
        "parameter_count": 16 * 64 + 16,
    }


@pytest.mark.parametrize(
    ("score_range", "squashed"), [(2.0, True), (12.0, True), (25.0, False), (math.inf, False)]
)
def test_scores_that_stay_close_however_large_the_weights_are_squashed(score_range, squashed):
    assert setup_facts(setup(score_range=score_range))["squashed_output"] is squashed


def test_a_score_range_that_could_not_be_evaluated_is_neither_squashed_nor_not():
    assert setup_facts(setup(score_range=math.nan))["squashed_output"] is None


@pytest.mark.parametrize(
    "output",
    [
        {"shape": [256, 10], "finite": True, "row_logsumexp": 0.5},
        {"shape": [256, 10], "finite": False, "row_logsumexp": math.nan},
        {"shape": None, "finite": False, "row_logsumexp": math.nan},
    ],
)
def test_rows_that_are_not_log_probabilities_are_found(output):
    assert setup_facts(setup(output=output))["log_probabilities"] is False


def test_the_init_scale_is_the_smallest_linear_gain_or_hidden_rescaling():
    assert setup_facts(setup(gaps=[1.0, 0.25, 0.5, 1.0]))["init_scale"] == pytest.approx(0.58)
    assert setup_facts(setup(gaps=[1.0, 0.01, 1.0, 1.0]))["init_scale"] == pytest.approx(0.01)
    one_small = [layer(), layer(0.08, fan_in=16, fan_out=10)]
    assert setup_facts(setup(layers=one_small, gaps=[1.0] * 3))["init_scale"] == 0.08


@pytest.mark.parametrize(
    ("layers", "gaps"),
    [
        ([layer(), layer(probed=False)], [1.0, 1.0, 1.0]),
        ([layer()], [1.0, None]),
        ([layer(0.9, affine=False)], [1.0, 1.0]),
        ([layer(0.01, fan_in=1, fan_out=1)], [1.0, 1.0]),
    ],
)
def test_layers_that_could_not_all_be_measured_leave_no_init_scale(layers, gaps):
    assert math.isnan(setup_facts(setup(layers=layers, gaps=gaps))["init_scale"])


def test_a_steady_step_whatever_the_gradient_is_adam_like():
    facts = setup_facts(setup(parameters=[parameter(steps=adam_steps(0.1))]))
    assert (facts["update"], facts["lr"]) == ("adam-like", pytest.approx(0.1))


def test_a_step_proportional_to_the_gradient_is_sgd_like():
    facts = setup_facts(setup(parameters=[parameter(steps=[-0.01 * GRAD] * 3)]))
    assert facts["update"] == "sgd-like"


@pytest.mark.parametrize(
    "steps",
    [
        [-1e-3 * np.sign(GRAD) / math.sqrt(t) for t in (1, 2, 3)],
        [1e-3 * np.sign(GRAD)] * 3,
        [np.full(5, -1e-3)] * 3,
    ],
    ids=["shrinking", "uphill", "ignores the gradient"],
)
def test_other_updates_are_neither_adam_nor_sgd_like(steps):
    assert setup_facts(setup(parameters=[parameter(steps=steps)]))["update"] == "other"


def test_no_change_at_all_is_no_update():
    facts = setup_facts(setup(parameters=[parameter(steps=[np.zeros(5)] * 3)]))
    assert (facts["update"], facts["lr"], facts["optimizes_all_parameters"]) == ("none", 0.0, False)


@pytest.mark.parametrize(
    "rows",
    [
        [parameter(), parameter("1.weight", steps=[np.zeros(5)] * 3)],
        [parameter(), parameter("1.weight", requires_grad=False, steps=[np.zeros(5)] * 3)],
        [parameter(used=False)],
    ],
    ids=["not stepped", "frozen", "nothing used"],
)
def test_every_parameter_the_output_depends_on_must_be_trained(rows):
    assert setup_facts(setup(parameters=rows))["optimizes_all_parameters"] is False


def test_parameters_the_output_does_not_use_need_not_be_trained():
    rows = [parameter(), parameter("unused", used=False, steps=[np.zeros(5)] * 3)]
    assert setup_facts(setup(parameters=rows))["optimizes_all_parameters"] is True


@pytest.mark.parametrize(
    "changes",
    [
        {"output": "x"},
        {"score_range": "wide"},
        {"layers": None},
        {"gaps": 3},
        {"parameters": [{"name": "w"}]},
        {"parameters": [{**parameter(), "steps": [np.zeros(2)]}]},
        {"parameters": [{**parameter(), "shape": [True]}]},
    ],
)
def test_unreadable_records_are_reported(changes):
    with pytest.raises(FactsUnreadable):
        setup_facts(setup(**changes))


def test_unreadable_setup_is_reported():
    with pytest.raises(FactsUnreadable, match="could not be read"):
        setup_facts(None)


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

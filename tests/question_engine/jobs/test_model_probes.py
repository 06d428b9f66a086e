"""The model probes measure what a model and optimizer do, not what they say about themselves.

The probes are plain functions of the sandbox job module; these tests call them in-process
on honest models and on models that lie, then judge the measurements with `setup_facts`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from django.conf import settings
from torch import nn

from grader.code.facts import setup_facts
from question_engine.jobs import model_probes

CHEATS = settings.BANK_ROOT / "code-fix-mlp" / "cheats"


def mlp(*extra: nn.Module, sizes=(64, 32, 16, 10)) -> nn.Sequential:
    """A small MLP with Tanh between layers, PyTorch's default init, LogSoftmax output."""
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers, *extra, nn.LogSoftmax(dim=-1))


def facts(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    return setup_facts(model_probes.measure_setup(model, optimizer))


def adam(model: nn.Module, lr: float = 1e-3) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=lr)


def cheat(name: str) -> tuple[nn.Module, torch.optim.Optimizer]:
    namespace: dict = {"__name__": "submission"}
    exec(compile((CHEATS / f"{name}.py").read_text(), name, "exec"), namespace)
    torch.manual_seed(0)
    return namespace["build_model_and_optimizer"]()


def test_an_honest_model_and_adam_have_every_fixed_fact():
    model = mlp()
    found = facts(model, adam(model))
    assert found["log_probabilities"] is True
    assert found["squashed_output"] is False
    assert found["init_scale"] == pytest.approx(1 / math.sqrt(3), rel=0.25)
    assert found["update"] == "adam-like"
    assert found["lr"] == pytest.approx(1e-3, rel=1e-3)
    assert found["optimizes_all_parameters"] is True
    assert found["parameter_count"] == sum(p.numel() for p in model.parameters())


def test_the_measurements_are_plain_data():
    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return value is None or type(value) in (bool, int, float, str, np.ndarray)

    model = mlp()
    assert plain(model_probes.measure_setup(model, adam(model)))


def test_a_tanh_after_the_last_layer_is_found_whatever_the_module_is_called():
    model, optimizer = cheat("lying_identity")
    assert type(model.layers[-1]).__name__ == "Identity"
    assert facts(model, optimizer)["squashed_output"] is True
    for bounded in (nn.Tanh(), nn.Sigmoid(), nn.Hardtanh(), nn.ReLU6()):
        model = mlp(bounded)
        assert facts(model, adam(model))["squashed_output"] is True


def test_a_small_initialisation_is_found_even_with_tiny_weights_and_no_tanh():
    model = mlp()
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=0.001)
    found = facts(model, adam(model))
    assert found["squashed_output"] is False
    smallest_fan_in = 16
    assert found["init_scale"] == pytest.approx(0.001 * math.sqrt(smallest_fan_in), rel=0.25)


def test_a_linear_layer_reporting_default_weights_but_computing_with_a_hundredth_is_measured():
    model, optimizer = cheat("lying_linear")
    first = model.layers[0]
    assert float(first.weight.detach().std()) * math.sqrt(64) == pytest.approx(0.577, rel=0.1)
    assert facts(model, optimizer)["init_scale"] < 0.01


class HiddenScaling(nn.Module):
    """Scales the signal by 0.01 between its layers, outside any module."""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.second = nn.Linear(64, 32), nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(self.second(0.01 * torch.tanh(self.first(x))), dim=-1)


class CallsForwardDirectly(HiddenScaling):
    """Bypasses nn.Module.__call__, so its layers cannot be observed one by one."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.tanh(self.first.forward(x))
        return torch.log_softmax(self.second.forward(hidden), dim=-1)


def test_a_rescaling_hidden_between_layers_counts_as_a_layer_scale():
    model = HiddenScaling()
    assert facts(model, adam(model))["init_scale"] == pytest.approx(0.01, rel=0.1)


def test_layers_that_cannot_be_observed_leave_the_init_scale_unmeasured():
    model = CallsForwardDirectly()
    assert math.isnan(facts(model, adam(model))["init_scale"])


def test_functional_activations_between_layers_do_not_lower_the_init_scale():
    class Functional(HiddenScaling):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.log_softmax(self.second(torch.relu(self.first(x))), dim=-1)

    model = Functional()
    assert facts(model, adam(model))["init_scale"] > 0.4


def test_an_adam_that_reports_one_learning_rate_and_steps_with_another_is_measured():
    model, optimizer = cheat("lying_adam")
    assert all(group["lr"] == 1e-3 for group in optimizer.param_groups)
    found = facts(model, optimizer)
    assert found["update"] == "adam-like"
    assert found["lr"] == pytest.approx(0.1, rel=1e-3)


@pytest.mark.parametrize(
    ("make", "update"),
    [
        (lambda p: torch.optim.AdamW(p, lr=1e-3), "adam-like"),
        (lambda p: torch.optim.Adam(p, lr=3e-4, betas=(0.9, 0.99), amsgrad=True), "adam-like"),
        (lambda p: torch.optim.SGD(p, lr=0.1), "sgd-like"),
        (lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), "sgd-like"),
        (lambda p: torch.optim.Adagrad(p, lr=1e-2), "other"),
        (lambda p: torch.optim.RMSprop(p, lr=1e-3), "other"),
    ],
)
def test_the_kind_of_update_is_measured_from_the_steps(make, update):
    model = mlp()
    assert facts(model, make(model.parameters()))["update"] == update


def test_a_class_named_adam_that_steps_like_sgd_is_sgd_like():
    class Adam(torch.optim.SGD):
        pass

    model = mlp()
    assert facts(model, Adam(model.parameters(), lr=1e-3))["update"] == "sgd-like"


def test_parameters_the_optimizer_does_not_train_are_found():
    model = mlp()
    assert facts(model, torch.optim.Adam(model[0].parameters()))["optimizes_all_parameters"] is (
        False
    )
    model = mlp()
    model[2].weight.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert facts(model, torch.optim.Adam(trainable))["optimizes_all_parameters"] is False


def test_an_optimizer_that_changes_nothing_has_no_update():
    class Idle(torch.optim.Adam):
        def step(self, closure=None):
            return None

    model = mlp()
    found = facts(model, Idle(model.parameters()))
    assert (found["update"], found["lr"], found["optimizes_all_parameters"]) == ("none", 0.0, False)


def test_raw_scores_instead_of_log_probabilities_are_found():
    model = mlp()[:-1]
    assert facts(model, adam(model))["log_probabilities"] is False


def digits_like(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=rows)
    centres = np.random.default_rng(99).random((10, 64))
    pixels = np.clip(centres[labels] + rng.normal(0, 0.1, (rows, 64)), 0, 1)
    return pixels.astype(np.float32), labels.astype(np.int64)


def test_training_returns_the_held_out_outputs_only_and_is_repeatable():
    x_train, y_train = digits_like(300, 1)
    x_test, y_test = digits_like(50, 2)
    data = {"x_train": x_train, "y_train": y_train, "x_test": x_test}
    budget = {"epochs": 5, "batch_size": 32, "seed": 3}
    runs = []
    for _ in range(2):
        model = mlp()
        runs.append(model_probes.train_and_predict(model, adam(model, 1e-2), data, budget))
    first, second = runs
    assert set(first) == {"outputs"}
    assert first["outputs"]["shape"] == [50, 10] and first["outputs"]["type"] == "tensor"
    np.testing.assert_array_equal(first["outputs"]["values"], second["outputs"]["values"])
    assert np.mean(first["outputs"]["values"].argmax(axis=1) == y_test) > 0.9


def test_an_output_that_is_not_exactly_a_tensor_is_reported_by_name():
    class Answering(torch.Tensor):
        pass

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = mlp()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.inner(x).as_subclass(Answering)

    x, y = digits_like(64, 4)
    model = Model()
    data = {"x_train": x, "y_train": y, "x_test": x[:8]}
    outputs = model_probes.train_and_predict(model, adam(model), data, {"epochs": 1})["outputs"]
    assert outputs == {"type": "other", "name": "Answering"}

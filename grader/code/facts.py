"""Facts about a returned (model, optimizer) pair, derived here from the harness's raw records.

The harness only reports what it sees (optimizer class, learning rates, each parameter's name,
shape, std and whether the optimizer holds it, the leaf modules in order, and for training the
model's outputs on held-out inputs). Every judgement, including accuracy against the held-out
labels that never enter the sandbox, is made here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

BOUNDED_ACTIVATIONS = frozenset(
    {"Tanh", "Sigmoid", "Hardtanh", "Hardsigmoid", "Softsign", "Tanhshrink", "ReLU6"}
)
"""Leaf modules whose outputs lie in a small fixed range: before a softmax they cap confidence."""
LINEAR_MODULES = frozenset({"Linear", "Bilinear", "LazyLinear"})


class FactsUnreadable(ValueError):
    """The raw records could not be read; the message says which part."""


def setup_facts(setup: Any) -> dict[str, Any]:
    """optimizer, lr, optimizes_all_parameters, init_scale, parameter_count, squashed_output."""
    if not isinstance(setup, Mapping):
        raise FactsUnreadable("the model and optimizer description could not be read.")
    optimizer = setup.get("optimizer")
    rates = setup.get("learning_rates")
    if not isinstance(optimizer, str) or not _numbers(rates) or not rates:
        raise FactsUnreadable("the optimizer's class and learning rate could not be read.")
    parameters = _parameters(setup.get("parameters"))
    modules = setup.get("modules")
    if not isinstance(modules, list) or not all(isinstance(name, str) for name in modules):
        raise FactsUnreadable("the model's list of modules could not be read.")
    scales = [
        std * math.sqrt(math.prod(shape[1:])) for _, shape, std, _ in parameters if len(shape) >= 2
    ]
    return {
        "optimizer": optimizer,
        "lr": max(rates),
        "optimizes_all_parameters": all(optimized for *_, optimized in parameters),
        "init_scale": min(scales) if scales else math.nan,
        "parameter_count": sum(math.prod(shape) for _, shape, _, _ in parameters),
        "squashed_output": squashed_output(modules),
    }


def squashed_output(modules: Sequence[str]) -> bool:
    """True when a bounded activation comes after the last linear layer (so logits are capped)."""
    last_linear = max((i for i, name in enumerate(modules) if name in LINEAR_MODULES), default=-1)
    return any(name in BOUNDED_ACTIVATIONS for name in modules[last_linear + 1 :])


def prediction_facts(outputs: Any, labels: np.ndarray, kind: str) -> dict[str, float]:
    """accuracy and confidence (mean top probability) of held-out outputs against `labels`.

    `kind` is "log_probs" (outputs are log-probabilities) or "logits" (softmax is applied here).
    """
    values = outputs.get("values") if isinstance(outputs, Mapping) else None
    classes = int(labels.max()) + 1 if labels.size else 0
    if not isinstance(values, np.ndarray) or values.shape != (len(labels), classes):
        shape = tuple(values.shape) if isinstance(values, np.ndarray) else None
        raise FactsUnreadable(
            f"the model's output on the held-out images has shape {shape}, expected "
            f"{(len(labels), classes)}: one row of {classes} class scores per image."
        )
    scores = values.astype(np.float64)
    if not np.all(np.isfinite(scores)):
        raise FactsUnreadable(
            "the model's output on the held-out images contains NaN or infinite values "
            "(training diverged: is the learning rate too high?)."
        )
    if kind == "log_probs":
        probabilities = np.exp(scores)
    else:
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    return {
        "accuracy": float(np.mean(scores.argmax(axis=1) == labels)),
        "confidence": float(np.mean(probabilities.max(axis=1))),
    }


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, int | float) and not isinstance(item, bool) for item in value
    )


def _parameters(raw: Any) -> list[tuple[str, tuple[int, ...], float, bool]]:
    if not isinstance(raw, list):
        raise FactsUnreadable("the model's parameters could not be read.")
    rows = []
    for row in raw:
        if not isinstance(row, Mapping):
            raise FactsUnreadable("the model's parameters could not be read.")
        name, shape, std = row.get("name"), row.get("shape"), row.get("std")
        if not isinstance(name, str) or not _numbers(shape) or not _numbers([std]):
            raise FactsUnreadable("the model's parameters could not be read.")
        rows.append((name, tuple(int(n) for n in shape), float(std), row.get("optimized") is True))
    return rows

"""Facts about a returned (model, optimizer) pair, judged here from the probes' measurements.

The sandbox job (`question_engine/jobs/model_probes.py`) measures behaviour only: the model's
output on probe inputs, how far apart its scores can get with scaled-up parameters and inputs,
each layer's function fitted as an affine map, the slopes between consecutive layers, and each
parameter's change over a few optimizer steps with known gradients. Names and attributes the
model reports about itself are never read. Every judgement, including accuracy against the
held-out labels that never enter the sandbox, is made here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

SQUASHED_SCORE_RANGE = 20.0
"""Scores closer than this however large the weights and inputs: a bounded activation (tanh
gives at most 2, sigmoid 1, ReLU6 6) comes after the last linear map, so confidence is capped."""
LOG_PROB_TOLERANCE = 1e-3
"""Largest |logsumexp| of an output row that still counts as log-probabilities (float32)."""
HIDDEN_SCALING = 0.1
"""A gap between two layers whose slope is below this is a hidden rescaling and counts as a
layer's scale (tanh, ReLU, GELU and sigmoid have slopes of 0.25 or more)."""
STEADY_STEP = 1.25
"""Adam-like: every sampled weight moves by the same amount within this factor, over every step,
although the gradient's entries span four orders of magnitude."""
PROPORTIONAL_STEP = 1.25
"""SGD-like: step / gradient is the same within this factor for every sampled weight."""
DESCENT_SHARE = 0.9
"""A parameter is trained when at least this share of its sampled weights moved against the
gradient on the first step."""


class FactsUnreadable(ValueError):
    """The raw records could not be read; the message says which part."""


def setup_facts(setup: Any) -> dict[str, Any]:
    """Facts about a model and its optimizer from `measure_setup`'s measurements.

    Returns log_probabilities (bool: output rows are log-probabilities), squashed_output (bool,
    or None when the output could not be evaluated), init_scale (float, nan when the layers
    could not all be measured), update ("adam-like", "sgd-like", "other" or "none"), lr (the
    median change of a weight per step, float), optimizes_all_parameters (bool) and
    parameter_count (int). Raises FactsUnreadable when the records are malformed.
    """
    if not isinstance(setup, Mapping):
        raise FactsUnreadable("the model and optimizer measurements could not be read.")
    parameters = _parameters(setup.get("parameters"))
    update, lr = _update(parameters)
    return {
        "log_probabilities": _log_probabilities(setup.get("output")),
        "squashed_output": _squashed(setup.get("score_range")),
        "init_scale": _init_scale(setup.get("layers"), setup.get("gaps")),
        "update": update,
        "lr": lr,
        "optimizes_all_parameters": _optimizes_all(parameters),
        "parameter_count": sum(math.prod(row["shape"]) for row in parameters),
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _log_probabilities(output: Any) -> bool:
    if not isinstance(output, Mapping):
        raise FactsUnreadable("the model's output on the probe inputs could not be read.")
    shape, lse = output.get("shape"), _number(output.get("row_logsumexp"))
    return (
        isinstance(shape, list)
        and len(shape) == 2
        and output.get("finite") is True
        and lse is not None
        and lse <= LOG_PROB_TOLERANCE
    )


def _squashed(score_range: Any) -> bool | None:
    value = _number(score_range)
    if value is None:
        raise FactsUnreadable("the range of the model's output scores could not be read.")
    return None if math.isnan(value) else value < SQUASHED_SCORE_RANGE


def _init_scale(layers: Any, gaps: Any) -> float:
    """The smallest gain of a linear layer (or hidden rescaling between layers); nan when a layer
    or a gap could not be measured or no linear layer was found."""
    if not isinstance(layers, list) or not isinstance(gaps, list):
        raise FactsUnreadable("the measurements of the model's layers could not be read.")
    scales = []
    for layer in layers:
        if not isinstance(layer, Mapping) or layer.get("probed") is not True:
            return math.nan
        gain, fan_in = _number(layer.get("gain")), layer.get("fan_in")
        if layer.get("affine") is True and isinstance(fan_in, int) and fan_in >= 2:
            if gain is None:
                return math.nan
            scales.append(gain)
    if not scales:
        return math.nan
    for gap in gaps:
        slope = _number(gap)
        if slope is None:
            return math.nan
        if abs(slope) < HIDDEN_SCALING:
            scales.append(abs(slope))
    return min(scales)


def _update(parameters: list[dict[str, Any]]) -> tuple[str, float]:
    """The kind of update the optimizer made, and the median change of a weight per step."""
    moved = [row for row in parameters if any(np.any(step != 0) for step in row["steps"])]
    if not moved:
        return "none", 0.0
    sizes = np.concatenate([np.abs(np.stack(row["steps"])).ravel() for row in moved])
    lr = float(np.median(sizes))
    if not np.all(np.isfinite(sizes)) or lr == 0:
        return "other", lr
    first = np.concatenate([row["steps"][0] for row in moved])
    grads = np.concatenate([row["grad"] for row in moved])
    descends = bool(np.all(np.sign(first) == -np.sign(grads)))
    if descends and sizes.min() > 0 and sizes.max() <= STEADY_STEP * sizes.min():
        return "adam-like", lr
    ratio = np.abs(first) / np.abs(grads)
    if descends and ratio.min() > 0 and ratio.max() <= PROPORTIONAL_STEP * ratio.min():
        return "sgd-like", lr
    return "other", lr


def _optimizes_all(parameters: list[dict[str, Any]]) -> bool:
    """Every parameter the output depends on moved against its gradient on the first step."""
    used = [row for row in parameters if row["used"]]
    return bool(used) and all(
        row["requires_grad"]
        and np.mean(np.sign(row["steps"][0]) == -np.sign(row["grad"])) >= DESCENT_SHARE
        for row in used
    )


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


def _parameters(raw: Any) -> list[dict[str, Any]]:
    """Rows of name, shape, requires_grad, used, grad sample and step samples, checked."""
    if not isinstance(raw, list):
        raise FactsUnreadable("the model's parameters could not be read.")
    rows = []
    for row in raw:
        if not isinstance(row, Mapping):
            raise FactsUnreadable("the model's parameters could not be read.")
        shape, grad, steps = row.get("shape"), row.get("grad"), row.get("steps")
        if (
            not isinstance(row.get("name"), str)
            or not isinstance(shape, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
            or not isinstance(grad, np.ndarray)
            or grad.ndim != 1
            or not isinstance(steps, list)
            or not steps
            or not all(isinstance(s, np.ndarray) and s.shape == grad.shape for s in steps)
        ):
            raise FactsUnreadable("the model's parameters could not be read.")
        rows.append(
            {
                "name": row["name"],
                "shape": shape,
                "requires_grad": row.get("requires_grad") is True,
                "used": row.get("used") is True,
                "grad": grad.astype(np.float64),
                "steps": [s.astype(np.float64) for s in steps],
            }
        )
    return rows

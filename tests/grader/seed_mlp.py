"""Seed 002/004 Q2 (2-3-2-1 tanh network, one SGD step) as a chain of reported quantities."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

W1 = np.array([[3.2, -2.4, -2.1], [-1.2, -1.4, 2.6]])
W2 = np.array([[3.0, 0.0], [-2.4, -4.2], [-3.0, 2.5]])
W3 = np.array([2.0, -1.0])
BIAS = 0.5
X = np.array([1.0, 2.0])
TARGET = 0.0


def solve(decimals: int | None = None) -> dict[str, float | list]:
    """Exact values, or with every reported quantity rounded to ``decimals`` before reuse."""
    report: Callable[[np.ndarray], np.ndarray] = (
        (lambda v: np.round(v, decimals)) if decimals is not None else (lambda v: v)
    )
    q: dict[str, np.ndarray] = {}
    q["u1"] = report(W1.T @ X + BIAS)
    q["h1"] = report(np.tanh(q["u1"]))
    q["u2"] = report(W2.T @ q["h1"] + BIAS)
    q["h2"] = report(np.tanh(q["u2"]))
    q["u3"] = report(W3 @ q["h2"] + BIAS)
    q["y"] = report(1 / (1 + np.exp(-q["u3"])))
    q["J"] = report(-np.log(1 - q["y"]))
    q["df2"] = report(1 - q["h2"] ** 2)
    q["g_u3"] = report(q["y"] - TARGET)
    q["g_u2"] = report(W3 * q["g_u3"] * q["df2"])
    q["g_W2"] = report(np.outer(q["h1"], q["g_u2"]))
    return {k: v.tolist() if np.ndim(v) else float(v) for k, v in q.items()}

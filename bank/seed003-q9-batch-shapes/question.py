"""Shapes in the vectorised (mini-batch) forward and backward pass of a two-layer network."""

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    return {
        "inputs": int(rng.integers(2, 785)),
        "hidden": int(rng.choice([3, 8, 16, 32, 64, 100, 128, 256])),
        "outputs": int(rng.integers(1, 11)),
        "batch": int(rng.choice([4, 16, 32, 50, 64, 128, 256])),
    }


def solve(p: dict, r) -> None:
    n, h, k, m = p["inputs"], p["hidden"], p["outputs"], p["batch"]
    r.report("X", np.array([n, m]))
    r.report("W1", np.array([h, n]))
    r.report("Z1", np.array([h, m]))
    r.report("A2", np.array([k, m]))
    r.report("dZ2", np.array([k, m]))
    r.report("dW2", np.array([k, h]))
    r.report("db2", np.array([k, 1]))
    r.report("dA1", np.array([h, m]))
    r.report("dW1", np.array([h, n]))

"""Gradients of a two-layer network by hand: variant parameters and a small worked example."""

import numpy as np

ACTIVATIONS = ["tanh", "sigmoid", "softplus"]


def generate(rng: np.random.Generator) -> dict:
    return {
        "activation": str(rng.choice(ACTIVATIONS)),
        "inputs": int(rng.integers(3, 7)),
        "hidden": int(rng.integers(3, 8)),
        "outputs": int(rng.integers(2, 5)),
        "data_seed": int(rng.integers(0, 1_000_000)),
    }


def activation_and_slope(name: str, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h(a) and h'(a) for the variant's activation."""
    sigmoid = 1.0 / (1.0 + np.exp(-a))
    if name == "tanh":
        return np.tanh(a), 1.0 - np.tanh(a) ** 2
    if name == "sigmoid":
        return sigmoid, sigmoid * (1.0 - sigmoid)
    return np.log1p(np.exp(a)), sigmoid


def solve(p: dict, r) -> None:
    x = np.array([1.0, -2.0])
    t = np.array([0.5])
    W1 = np.array([[0.3, 0.1], [-0.2, 0.4]])
    W2 = np.array([[0.7, -0.5]])
    a = r.report("example_a", W1 @ x, dp=4)
    z, slope = activation_and_slope(p["activation"], a)
    z = r.report("example_z", z, dp=4)
    slope = r.report("example_slope", slope, dp=4)
    e = r.report("example_e", W2 @ z - t, dp=4)
    delta = r.report("example_delta", slope * (W2.T @ e), dp=4)
    r.report("example_grad_W1", np.outer(delta, x), dp=4)
    r.report("example_grad_W2", np.outer(e, z), dp=4)

"""Layer normalisation of a small design matrix and one residual block, computed by hand."""

import numpy as np

MAX_TRIES = 1000
EPSILON = 1e-4
STATEMENTS = 6
TRUE_STATEMENTS = 3  # the first three statements of the canonical list are true
OPTION_LABELS = "abcdef"


def relu(u):
    return np.maximum(u, 0.0)


def well_posed(p: dict) -> bool:
    """Rows with non-zero means and different spreads; a live ReLU layer with a visible branch."""
    X = np.array(p["X"])
    mean, var = X.mean(axis=1), X.var(axis=1)
    x, W1, W2 = np.array(p["x"]), np.array(p["W1"]), np.array(p["W2"])
    pre = W1 @ x
    mlp = W2 @ relu(pre)
    return bool(
        np.all(np.abs(mean) >= 0.1)
        and np.all(var >= 0.3)
        and abs(var[0] - var[1]) >= 0.3
        and np.all(W1 != 0)
        and np.all(W2 != 0)
        and np.all(np.abs(pre) >= 0.2)
        and np.any(pre > 0)
        and np.all(np.abs(mlp) >= 0.1)
        and np.all(np.abs(mlp + x) >= 0.1)
    )


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "X": (rng.integers(-6, 7, size=(2, 4)) / 2).tolist(),
            "gain": (rng.integers(5, 21, size=4) / 10).tolist(),
            "shift": (rng.integers(-10, 11, size=4) / 10).tolist(),
            "d_model": int(rng.choice([64, 128, 256, 384, 512, 768, 1024])),
            "x": (rng.choice([-1, 1], size=3) * rng.integers(1, 5, size=3) / 2).tolist(),
            "W1": (rng.integers(-10, 11, size=(2, 3)) / 10).tolist(),
            "W2": (rng.integers(-10, 11, size=(3, 2)) / 10).tolist(),
            "statement_order": rng.permutation(STATEMENTS).tolist(),
        }
        if well_posed(p):
            return p
    raise RuntimeError("no well-posed LayerNorm / residual example found; widen the ranges")


def solve(p: dict, r) -> None:
    X = np.array(p["X"])
    mean = r.report("mean", X.mean(axis=1))
    var = r.report("var", ((X - mean[:, None]) ** 2).mean(axis=1))
    std = r.report("std", np.sqrt(var + EPSILON), dp=3)
    normalised = r.report("normalised", (X - mean[:, None]) / std[:, None])
    r.report("output", np.array(p["gain"]) * normalised + np.array(p["shift"]))
    r.report("n_params", 2 * p["d_model"])
    shown = enumerate(p["statement_order"])
    r.report("true_statements", [OPTION_LABELS[i] for i, k in shown if k < TRUE_STATEMENTS])
    x, W1, W2 = np.array(p["x"]), np.array(p["W1"]), np.array(p["W2"])
    pre = r.report("pre", W1 @ x)
    hidden = r.report("hidden", relu(pre))
    mlp = r.report("mlp", W2 @ hidden)
    r.report("block_output", mlp + x)
    r.report("block_jacobian", np.eye(3) + W2 @ np.diag((pre > 0).astype(float)) @ W1)

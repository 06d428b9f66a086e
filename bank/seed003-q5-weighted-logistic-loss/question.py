"""Logistic regression with a class-weighted cross-entropy: balanced weights, loss and gradient."""

import numpy as np

MAX_TRIES = 1000


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        positives = int(rng.integers(5, 200))
        p = {
            "positives": positives,
            "negatives": positives * int(rng.integers(3, 50)),
            "x": (rng.integers(-4, 5, size=3) / 2).tolist(),
            "w": (rng.integers(-10, 11, size=3) / 10).tolist(),
            "b": float(rng.integers(-5, 6)) / 10,
            "y": int(rng.integers(0, 2)),
        }
        z = float(np.array(p["w"]) @ np.array(p["x"]) + p["b"])
        if 0.3 <= abs(z) <= 2.5 and np.count_nonzero(p["x"]) == 3:
            return p
    raise RuntimeError("no well-posed example found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    total = p["positives"] + p["negatives"]
    alpha = r.report("alpha", total / (2 * p["positives"]))
    beta = r.report("beta", total / (2 * p["negatives"]))
    x, y = np.array(p["x"]), p["y"]
    z = r.report("z", float(np.array(p["w"]) @ x + p["b"]))
    a = r.report("a", float(sigmoid(z)))
    r.report("loss", float(-alpha * y * np.log(a) - beta * (1 - y) * np.log(1 - a)))
    g_z = r.report("g_z", alpha * y * (a - 1) + beta * (1 - y) * a)
    r.report("g_w", g_z * x)

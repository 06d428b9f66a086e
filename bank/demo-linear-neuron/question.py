"""A linear neuron y = w.x + b and its squared error against a target."""

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    w = rng.choice([-1, 1], size=3) * rng.integers(2, 9, size=3) / 4
    x = rng.choice([-1, 1], size=3) * rng.integers(1, 9, size=3) / 4
    b = float(rng.integers(-8, 9)) / 10
    y = float(w @ x + b)
    d = float(np.round(y + rng.choice([-1, 1]) * rng.uniform(0.6, 2.5), 1))
    return {"w": w.tolist(), "x": x.tolist(), "b": b, "d": d}


def solve(p: dict, r) -> None:
    w, x = np.array(p["w"]), np.array(p["x"])
    y = r.report("y", float(w @ x + p["b"]))
    r.report("loss", (p["d"] - y) ** 2)

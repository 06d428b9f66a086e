"""Shapes of every matrix in a softmax classifier trained with the bias trick."""

import numpy as np

IMAGE_SIZES = (8, 16, 28, 32, 64)


def generate(rng: np.random.Generator) -> dict:
    size = int(rng.choice(IMAGE_SIZES))
    return {
        "samples": int(rng.choice([100, 250, 500, 1000, 2000, 5000, 10000, 60000])),
        "classes": int(rng.integers(3, 21)),
        "channels": int(rng.choice([1, 3, 4])),
        "height": size,
        "width": size,
    }


def solve(p: dict, r) -> None:
    n, k = p["samples"], p["classes"]
    pixels = r.report("pixels", p["channels"] * p["height"] * p["width"])
    features = r.report("features", pixels + 1)
    r.report("data", np.array([n, features]))
    weight = r.report("weight", np.array([features, k]))
    r.report("probs", np.array([n, k]))
    r.report("adjusted", np.array([n, k]))
    r.report("data_loss", np.array([1, 1]))
    r.report("reg_loss", np.array([1, 1]))
    r.report("grad", weight.copy())

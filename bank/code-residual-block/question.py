"""A residual block around a given MLP: variant parameters and a one-row worked example."""

import numpy as np

SCALES = [1.0, 0.5, 0.25, 2.0, 0.1]


def generate(rng: np.random.Generator) -> dict:
    return {
        "norm": str(rng.choice(["none", "pre", "post"])),
        "scale": float(rng.choice(SCALES)),
        "features": int(rng.integers(4, 9)),
        "hidden": int(rng.choice([8, 12, 16])),
        "batch": int(rng.integers(5, 11)),
        "activation": str(rng.choice(["relu", "tanh"])),
        "data_seed": int(rng.integers(0, 1_000_000)),
    }


def solve(p: dict, r) -> None:
    x = np.linspace(-1.0, 1.0, p["features"])
    branch = r.report("example_branch", float(np.tanh(x).sum()), dp=4)
    r.report("example_output", float(x.sum() + p["scale"] * branch), dp=4)

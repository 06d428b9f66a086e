"""A RealNVP coupling layer as code: variant parameters and a one-dimensional worked example."""

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    dim = int(rng.integers(4, 7))
    return {
        "dim": dim,
        "split": int(rng.integers(1, dim)),
        "hidden": int(rng.choice([8, 16])),
        "batch": int(rng.integers(4, 9)),
        "data_seed": int(rng.integers(0, 1_000_000)),
    }


def solve(p: dict, r) -> None:
    s, b, x_b = 0.4, -0.3, 1.5
    scale = r.report("example_scale", float(np.exp(-s)), dp=4)
    r.report("example_z_b", float(scale * (x_b - b)), dp=4)
    r.report("example_log_det", -s, dp=4)

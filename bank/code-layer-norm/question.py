"""Layer normalisation as code: variant parameters, and a small worked example for the solution."""

import numpy as np

EPSILONS = [1e-4, 1e-3, 5e-4, 1e-5]


def generate(rng: np.random.Generator) -> dict:
    return {
        "eps": float(rng.choice(EPSILONS)),
        "features": int(rng.integers(4, 9)),
        "batch": int(rng.integers(6, 13)),
        "form": str(rng.choice(["module", "function"])),
        "data_seed": int(rng.integers(0, 1_000_000)),
    }


def solve(p: dict, r) -> None:
    row = np.arange(1.0, p["features"] + 1.0)
    mean = r.report("example_mean", float(row.mean()), dp=4)
    variance = r.report("example_variance", float(((row - mean) ** 2).mean()), dp=4)
    r.report("example_first", float((row[0] - mean) / np.sqrt(variance + p["eps"])), dp=4)

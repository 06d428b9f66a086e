"""The quadratic layer as code: variant parameters, and parameter counts for the solution."""

import numpy as np

LAMBDAS = [0.5, 2.0, -1.0, 0.25, 3.0, -0.5]


def generate(rng: np.random.Generator) -> dict:
    return {
        "inputs": int(rng.integers(3, 6)),
        "outputs": int(rng.integers(2, 5)),
        "lam": float(rng.choice(LAMBDAS)),
        "batch": int(rng.integers(4, 9)),
        "data_seed": int(rng.integers(0, 1_000_000)),
    }


def solve(p: dict, r) -> None:
    m, n = p["inputs"], p["outputs"]
    unique = r.report("unique_parameters", n * (m * (m + 1) // 2 + m + 1), dp=0)
    r.report("stored_parameters", n * (m * m + m + 1), dp=0)
    r.report("linear_parameters", n * (m + 1), dp=0)
    r.report("ratio", unique / (n * (m + 1)), dp=4)

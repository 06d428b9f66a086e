"""Short answers: parameter count of a fully connected network and a tensor of a given shape."""

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    return {
        "layers": int(rng.integers(2, 6)),
        "neurons": int(rng.integers(3, 17)),
        "inputs": int(rng.integers(2, 13)),
    }


def solve(p: dict, r) -> None:
    n, k = p["neurons"], p["inputs"]
    first = r.report("first_layer_params", n * (k + 1))
    r.report("n_params", first + (p["layers"] - 1) * n * (n + 1))
    r.report("tensor", [[[1, 2, 3]], [[4, 5, 6]]])

"""A quadratic layer: concepts, parameter counts, forward values and gradients."""

import numpy as np

MAX_TRIES = 1000
LETTERS = "abcd"
# Index (in the paper's option order, as listed in statement.md) of the right option per item.
RIGHT_OPTION = {"lam0": 2, "bias_role": 0, "symmetric": 1, "ratio": 2, "omega": 0}


def symmetric_matrix(rng: np.random.Generator, size: int) -> np.ndarray:
    upper = np.triu(rng.integers(-3, 4, size=(size, size)) / 2)
    return upper + np.triu(upper, 1).T


def layer_output(p: dict) -> np.ndarray:
    x = np.array(p["x"])
    quadratic = np.array([x @ np.array(A) @ x for A in p["A"]])
    return p["lam"] * quadratic + np.array(p["B"]) @ x + np.array(p["c"])


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {f"order_{item}": rng.permutation(4).tolist() for item in RIGHT_OPTION}
        p.update(
            {
                "M": int(rng.integers(3, 65)),
                "N": int(rng.integers(2, 33)),
                "lam": float(rng.choice([0.5, 1.0, 1.5, 2.0])),
                "x": (rng.integers(-4, 5, size=3) / 2).tolist(),
                "A": [symmetric_matrix(rng, 3).tolist() for _ in range(2)],
                "B": (rng.integers(-4, 5, size=(2, 3)) / 2).tolist(),
                "c": (rng.integers(-4, 5, size=2) / 2).tolist(),
                "g": (rng.integers(-4, 5, size=2) / 2).tolist(),
            }
        )
        y = layer_output(p)
        informative = np.all(np.abs(y) >= 0.5) and np.all(np.abs(y) <= 30)
        if informative and 0.0 not in p["g"] and np.count_nonzero(p["x"]) >= 2:
            return p
    raise RuntimeError("no informative quadratic layer found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    for item, right in RIGHT_OPTION.items():
        r.report(item, LETTERS[p[f"order_{item}"].index(right)])
    r.report("pq_formula", "N*(M*(M+1)/2 + M + 1)")
    M, N = p["M"], p["N"]
    per_output_q = r.report("per_output_q", M * (M + 1) // 2 + M + 1)
    r.report("pq", N * per_output_q)
    r.report("pl", N * (M + 1))
    x, lam, g = np.array(p["x"]), p["lam"], np.array(p["g"])
    A, B = np.array(p["A"]), np.array(p["B"])
    quadratic = r.report("quadratic", np.einsum("i,kij,j->k", x, A, x))
    linear = r.report("linear", B @ x)
    r.report("y", lam * quadratic + linear + np.array(p["c"]))
    r.report("grad_x", np.einsum("k,kij,j->i", g, 2 * lam * A, x) + B.T @ g)
    r.report("grad_A1", g[0] * lam * np.outer(x, x))

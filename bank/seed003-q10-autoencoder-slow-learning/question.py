"""A 4-3-4 sigmoid autoencoder: forward pass, squared reconstruction loss, one update of W1."""

import numpy as np

MAX_TRIES = 1000


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def pre_activations(p: dict) -> np.ndarray:
    z1 = np.array(p["W1"]) @ np.array(p["x"]) + np.array(p["b1"])
    z2 = np.array(p["W2"]) @ sigmoid(z1) + np.array(p["b2"])
    return np.concatenate([z1, z2])


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "x": (rng.integers(0, 6, size=4) / 5).tolist(),
            "W1": (rng.integers(-10, 11, size=(3, 4)) / 10).tolist(),
            "b1": (rng.integers(-5, 6, size=3) / 10).tolist(),
            "W2": (rng.integers(-10, 11, size=(4, 3)) / 10).tolist(),
            "b2": (rng.integers(-5, 6, size=4) / 10).tolist(),
            "alpha": float(rng.choice([0.1, 0.5, 1.0, 2.0])),
        }
        z = pre_activations(p)
        if np.count_nonzero(p["x"]) >= 3 and np.all(np.abs(z) <= 2.5):
            return p
    raise RuntimeError("no well-posed autoencoder found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    x, W1, W2 = np.array(p["x"]), np.array(p["W1"]), np.array(p["W2"])
    z1 = r.report("z1", W1 @ x + np.array(p["b1"]))
    a1 = r.report("a1", sigmoid(z1))
    z2 = r.report("z2", W2 @ a1 + np.array(p["b2"]))
    a2 = r.report("a2", sigmoid(z2))
    r.report("L", float(np.sum((a2 - x) ** 2)))
    d1 = r.report("d1", a1 * (1 - a1))
    d2 = r.report("d2", a2 * (1 - a2))
    g_z2 = r.report("g_z2", d2 * 2 * (a2 - x))
    g_z1 = r.report("g_z1", d1 * (W2.T @ g_z2))
    g_W1 = r.report("g_W1", np.outer(g_z1, x))
    r.report("W1_new", W1 - p["alpha"] * g_W1)

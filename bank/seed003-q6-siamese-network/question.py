"""A Siamese network with shared ReLU weights: forward pass, loss and the gradient for W1."""

import numpy as np

MAX_TRIES = 2000


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def forward(p: dict) -> dict:
    W1, b1 = np.array(p["W1"]), np.array(p["b1"])
    z_A, z_B = W1 @ np.array(p["x_A"]) + b1, W1 @ np.array(p["x_B"]) + b1
    a1 = np.maximum(z_A, 0) - np.maximum(z_B, 0)
    z2 = float(np.array(p["W2"]) @ a1 + p["b2"])
    return {"z_A": z_A, "z_B": z_B, "a1": a1, "z2": z2}


def well_posed(p: dict) -> bool:
    """Mixed ReLU masks away from the kink, a non-zero difference, an unsaturated output."""
    f = forward(p)
    z = np.concatenate([f["z_A"], f["z_B"]])
    if np.any(np.abs(z) < 0.2) or not (np.any(z > 0) and np.any(z < 0)):
        return False
    if np.all(f["z_A"] < 0) or np.all(f["z_B"] < 0) or np.sum(np.abs(f["a1"]) >= 0.05) < 2:
        return False
    return 0.2 <= abs(f["z2"]) <= 2.5


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "x_A": rng.integers(-3, 4, size=4).tolist(),
            "x_B": rng.integers(-3, 4, size=4).tolist(),
            "W1": (rng.integers(-8, 9, size=(3, 4)) / 10).tolist(),
            "b1": (rng.integers(-5, 6, size=3) / 10).tolist(),
            "W2": (rng.integers(-15, 16, size=3) / 10).tolist(),
            "b2": float(rng.integers(-5, 6)) / 10,
            "y": int(rng.integers(0, 2)),
        }
        if p["x_A"] != p["x_B"] and 0.0 not in p["W2"] and well_posed(p):
            return p
    raise RuntimeError("no well-posed Siamese network found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    W1, b1, W2, y = np.array(p["W1"]), np.array(p["b1"]), np.array(p["W2"]), p["y"]
    x_A, x_B = np.array(p["x_A"], dtype=float), np.array(p["x_B"], dtype=float)
    z_A = r.report("z_A", W1 @ x_A + b1)
    a_A = r.report("a_A", np.maximum(z_A, 0.0))
    z_B = r.report("z_B", W1 @ x_B + b1)
    a_B = r.report("a_B", np.maximum(z_B, 0.0))
    a1 = r.report("a1", a_A - a_B)
    z2 = r.report("z2", float(W2 @ a1 + p["b2"]))
    a2 = r.report("a2", float(sigmoid(z2)))
    r.report("L", float(-(y * np.log(a2) + (1 - y) * np.log(1 - a2))))
    g_z2 = r.report("g_z2", a2 - y)
    g_a1 = r.report("g_a1", W2 * g_z2)
    g_zA = r.report("g_zA", g_a1 * (z_A > 0))
    g_zB = r.report("g_zB", -g_a1 * (z_B > 0))
    r.report("g_W1", np.outer(g_zA, x_A) + np.outer(g_zB, x_B))

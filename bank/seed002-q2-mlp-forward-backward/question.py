"""One SGD iteration on a 2-3-2-1 tanh network with a logistic output and cross-entropy."""

import numpy as np

MAX_TRIES = 1000


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def forward(p: dict) -> dict:
    x, b = np.array(p["x"]), p["b"]
    u1 = np.array(p["W1"]).T @ x + b
    u2 = np.array(p["W2"]).T @ np.tanh(u1) + b
    u3 = float(np.array(p["W3"]) @ np.tanh(u2) + b)
    return {"u1": u1, "u2": u2, "u3": u3, "y": sigmoid(u3)}


def well_posed(p: dict) -> bool:
    """No saturated tanh, an output away from 0 and 1, and informative first-layer gradients."""
    f = forward(p)
    hidden = np.concatenate([f["u1"], f["u2"]])
    if np.any(np.abs(hidden) > 2.0) or np.any(np.abs(hidden) < 0.15):
        return False
    if not 0.4 <= abs(f["u3"]) <= 2.5:
        return False
    g_u3 = f["y"] - p["d"]
    g_u2 = np.array(p["W3"]) * g_u3 * (1 - np.tanh(f["u2"]) ** 2)
    g_u1 = (np.array(p["W2"]) @ g_u2) * (1 - np.tanh(f["u1"]) ** 2)
    return bool(np.all(np.abs(g_u2) >= 0.02) and np.sum(np.abs(g_u1) >= 0.02) >= 2)


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "x": (rng.integers(-4, 5, size=2) / 2).tolist(),
            "W1": (rng.integers(-15, 16, size=(2, 3)) / 10).tolist(),
            "W2": (rng.integers(-15, 16, size=(3, 2)) / 10).tolist(),
            "W3": (rng.integers(-25, 26, size=2) / 10).tolist(),
            "b": float(rng.integers(1, 6)) / 10,
            "d": int(rng.integers(0, 2)),
        }
        if 0.0 not in p["x"] and well_posed(p):
            return p
    raise RuntimeError("no well-posed network found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    x, b, d = np.array(p["x"]), p["b"], p["d"]
    W1 = r.report("W1", np.array(p["W1"]))
    W2 = r.report("W2", np.array(p["W2"]))
    W3 = r.report("W3", np.array(p["W3"]))
    u1 = r.report("u1", W1.T @ x + b)
    h1 = r.report("h1", np.tanh(u1))
    u2 = r.report("u2", W2.T @ h1 + b)
    h2 = r.report("h2", np.tanh(u2))
    u3 = r.report("u3", float(W3 @ h2 + b), dp=2)
    y = r.report("y", float(sigmoid(u3)))
    r.report("J", float(-d * np.log(y) - (1 - d) * np.log(1 - y)))
    dh1 = r.report("dh1", 1 - h1**2)
    dh2 = r.report("dh2", 1 - h2**2)
    g_u3 = r.report("g_u3", y - d)
    g_u2 = r.report("g_u2", W3 * g_u3 * dh2)
    g_u1 = r.report("g_u1", (W2 @ g_u2) * dh1)
    r.report("g_W3", h2 * g_u3)
    r.report("g_b3", g_u3)
    r.report("g_W2", np.outer(h1, g_u2))
    r.report("g_b2", g_u2)
    r.report("g_W1", np.outer(x, g_u1))
    r.report("g_b1", g_u1)

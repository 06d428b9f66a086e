"""A Jordan RNN run over two steps, statement pairs on Transformers, sinusoidal encodings."""

import numpy as np

MAX_TRIES = 1000
PAIR_TRUTHS = [(True, False), (False, True), (True, True)]
PAIR_LETTERS = {(True, True): "A", (True, False): "B", (False, True): "C", (False, False): "D"}


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def pre_activations(p: dict) -> list:
    U, W, V = np.array(p["U"]), np.array(p["W"]), np.array(p["V"])
    y, values = p["y0"], []
    for x in (p["x1"], p["x2"]):
        u = U.T @ np.array(x) + W * y + p["bias"]
        values.append(u)
        y = float(sigmoid(V @ np.tanh(u) + p["bias"]))
    return values


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "U": (rng.integers(-9, 10, size=(2, 2)) / 10).tolist(),
            "W": (rng.integers(-20, 21, size=2) / 10).tolist(),
            "V": (rng.choice([-1, 1], size=2) * rng.integers(2, 13, size=2) / 10).tolist(),
            "bias": float(rng.integers(1, 6)) / 10,
            "y0": float(rng.choice([0.0, 0.5, 1.0])),
            "x1": (rng.integers(-6, 7, size=2) / 2).tolist(),
            "x2": (rng.integers(-6, 7, size=2) / 2).tolist(),
            "swap": rng.integers(0, 2, size=3).astype(bool).tolist(),
            "pos": int(rng.integers(2, 40)),
            "d_model": int(rng.choice([64, 128, 256, 512])),
        }
        u = np.concatenate(pre_activations(p))
        if np.all(np.abs(u) <= 2.5) and np.all(np.abs(u) >= 0.1) and p["V"][0] != p["V"][1]:
            return p
    raise RuntimeError("no well-posed RNN found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    U, W, V = np.array(p["U"]), np.array(p["W"]), np.array(p["V"])
    y = p["y0"]
    for t, x in ((1, p["x1"]), (2, p["x2"])):
        h = r.report(f"h{t}", np.tanh(U.T @ np.array(x) + W * y + p["bias"]))
        y = r.report(f"y{t}", float(sigmoid(V @ h + p["bias"])))
    for index, (first, second) in enumerate(PAIR_TRUTHS):
        truths = (second, first) if p["swap"][index] else (first, second)
        r.report(f"pair{index + 1}", PAIR_LETTERS[truths])
    dims = np.arange(11)
    angles = p["pos"] / 10000.0 ** (2 * (dims // 2) / p["d_model"])
    r.report("pe", np.where(dims % 2 == 0, np.sin(angles), np.cos(angles)))

"""Backpropagation through a = W1 x, z = h(a), y = W2 z with E = ||y - t||^2 / 2."""

import numpy as np

MAX_TRIES = 1000
ACTIVATIONS = ("tanh", "sigmoid")
OPTION_LABELS = "abcd"


def activation(name: str, a):
    return np.tanh(a) if name == "tanh" else 1.0 / (1.0 + np.exp(-a))


def activation_slope(name: str, z):
    """h'(a) written through z = h(a), as it is computed by hand."""
    return 1.0 - z**2 if name == "tanh" else z * (1.0 - z)


def scalar_formulas(name: str) -> tuple[str, str]:
    """dE/dw2 and dE/dw1 for the scalar network y = w2 h(w1 x), E = (y - t)^2 / 2."""
    hidden = f"{name}(w1*x)"
    slope = f"(1 - {hidden}^2)" if name == "tanh" else f"{hidden}*(1 - {hidden})"
    error = f"(w2*{hidden} - t)"
    return f"{error}*{hidden}", f"{error}*w2*{slope}*x"


def label_of_correct(order: list[int]) -> str:
    """Option 0 of the canonical list is the right one; `order` is the order shown."""
    return OPTION_LABELS[order.index(0)]


def well_posed(p: dict) -> bool:
    """Distinct inputs, unsaturated hidden units and gradients clearly non-zero at 3 d.p."""
    x, W1, W2, t = (np.array(p[k]) for k in ("x", "W1", "W2", "t"))
    a = W1 @ x
    z = activation(p["activation"], a)
    e = W2 @ z - t
    delta = activation_slope(p["activation"], z) * (W2.T @ e)
    return bool(
        len(set(p["x"])) == len(p["x"])
        and np.all(np.abs(a) >= 0.2)
        and np.all(np.abs(a) <= 2.0)
        and np.all(np.abs(e) >= 0.15)
        and np.all(np.abs(delta) >= 0.05)
        and abs(np.linalg.det(W2)) >= 0.1
        and W2[0, 1] != W2[1, 0]
    )


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "x": (rng.choice([-1, 1], size=3) * rng.integers(1, 5, size=3) / 2).tolist(),
            "W1": (rng.integers(-12, 13, size=(2, 3)) / 10).tolist(),
            "W2": (rng.integers(-15, 16, size=(2, 2)) / 10).tolist(),
            "t": (rng.choice([-1, 1], size=2) * rng.integers(1, 5, size=2) / 2).tolist(),
            "activation": str(rng.choice(ACTIVATIONS)),
            "e_order": rng.permutation(4).tolist(),
            "delta_order": rng.permutation(4).tolist(),
        }
        if well_posed(p):
            return p
    raise RuntimeError("no well-posed two-layer network found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    x, W1, W2, t = (np.array(p[k]) for k in ("x", "W1", "W2", "t"))
    name = p["activation"]
    a = r.report("a", W1 @ x)
    z = r.report("z", activation(name, a))
    y = r.report("y", W2 @ z)
    e = r.report("e", y - t)
    r.report("E", float(0.5 * e @ e))
    slope = r.report("slope", activation_slope(name, z))
    back = r.report("back", W2.T @ e)
    delta = r.report("delta", slope * back)
    r.report("grad_W2", np.outer(e, z))
    r.report("grad_W1", np.outer(delta, x))
    r.report("e_choice", label_of_correct(p["e_order"]))
    r.report("delta_choice", label_of_correct(p["delta_order"]))
    grad_w2, grad_w1 = scalar_formulas(name)
    r.report("scalar_grad_w2", grad_w2)
    r.report("scalar_grad_w1", grad_w1)

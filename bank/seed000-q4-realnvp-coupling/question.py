"""Inverse, Jacobian, log-determinant and negative log-likelihood of a RealNVP coupling layer."""

import numpy as np

MAX_TRIES = 1000
HALF = 2
DIM = 2 * HALF


def coupling_inputs(p: dict) -> tuple:
    """The observed halves x_A, x_B and the affine maps inside s(.) and b(.)."""
    x = np.array(p["x"])
    maps = (np.array(p[name]) for name in ("S", "s0", "B", "b0"))
    return (x[:HALF], x[HALF:], *maps)


def signed_term(coefficient: float, factor: str) -> str:
    """' + 1.2*x_A' or ' - 0.4' style text of one term, empty for a zero coefficient."""
    if coefficient == 0:
        return ""
    body = f"{abs(coefficient)!r}*{factor}" if factor else repr(abs(coefficient))
    return f" {'-' if coefficient < 0 else '+'} {body}"


def scalar_inverse_formula(p: dict) -> str:
    """z_B in terms of x_A, x_B for one-dimensional halves with s(u) = k u, b(u) = m u + c."""
    shift = signed_term(-p["m"], "x_A") + signed_term(-p["c"], "")
    return f"exp({-p['k']!r}*x_A)*(x_B{shift})"


def well_posed(p: dict) -> bool:
    """Moderate scales, a clearly non-zero log-determinant and an informative Jacobian."""
    x_A, x_B, S, s0, B, b0 = coupling_inputs(p)
    s = S @ x_A + s0
    z_B = np.exp(-s) * (x_B - (B @ x_A + b0))
    cross = -S * z_B[:, None] - np.exp(-s)[:, None] * B
    return bool(
        np.all(np.abs(s) <= 1.2)
        and np.all(np.abs(s) >= 0.1)
        and abs(s.sum()) >= 0.1
        and np.all(np.abs(z_B) >= 0.1)
        and np.all(np.abs(z_B) <= 4.0)
        and np.all(S != 0)
        and np.all(B != 0)
        and np.all(np.abs(cross) >= 0.01)
        and abs(cross[0, 1] - cross[1, 0]) >= 0.01
    )


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p = {
            "x": (rng.integers(-4, 5, size=DIM) / 2).tolist(),
            "S": (rng.integers(-6, 7, size=(HALF, HALF)) / 10).tolist(),
            "s0": (rng.integers(-5, 6, size=HALF) / 10).tolist(),
            "B": (rng.integers(-10, 11, size=(HALF, HALF)) / 10).tolist(),
            "b0": (rng.integers(-10, 11, size=HALF) / 10).tolist(),
            "k": float(rng.choice([-1, 1]) * rng.integers(1, 16)) / 10,
            "m": float(rng.choice([-1, 1]) * rng.integers(1, 16)) / 10,
            "c": float(rng.integers(-10, 11)) / 10,
        }
        if well_posed(p):
            return p
    raise RuntimeError("no well-posed coupling layer found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    x_A, x_B, S, s0, B, b0 = coupling_inputs(p)
    r.report("inverse_formula", scalar_inverse_formula(p))
    s = r.report("s", S @ x_A + s0)
    b = r.report("b", B @ x_A + b0)
    scale = r.report("scale", np.exp(-s), dp=3)
    z_B = r.report("z_B", scale * (x_B - b))
    cross = r.report("cross", -S * z_B[:, None] - scale[:, None] * B, dp=3)
    jacobian = np.block([[np.eye(HALF), np.zeros((HALF, HALF))], [cross, np.diag(scale)]])
    r.report("J", jacobian)
    log_det = r.report("log_det", float(-np.sum(s)))
    half_square = r.report("half_square", float(0.5 * (x_A @ x_A + z_B @ z_B)), dp=3)
    loss = r.report("loss", half_square - log_det)
    r.report("nll", loss + DIM / 2 * np.log(2 * np.pi))

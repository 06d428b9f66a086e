"""Gradient descent vs momentum on a quadratic: optimal step size, rates and step counts."""

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    lam_min = float(rng.integers(2, 31)) / 10
    kappa = float(rng.choice([2.25, 4, 6.25, 9, 12.25, 16, 20.25, 25, 36, 49, 64, 100]))
    return {"lam_min": lam_min, "lam_max": round(lam_min * kappa, 3)}


def solve(p: dict, r) -> None:
    lam_min, lam_max = p["lam_min"], p["lam_max"]
    r.report("eta_opt", 2.0 / (lam_min + lam_max))
    kappa = r.report("kappa", lam_max / lam_min)
    rate_gd = r.report("rate_gd", (kappa - 1) / (kappa + 1))
    rate_momentum = r.report("rate_momentum", (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    r.report("steps_ratio", float(np.log(rate_gd) / np.log(rate_momentum)))

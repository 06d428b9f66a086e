"""The VAE ELBO and beta-VAE objective with a Gaussian KL term; forward and reverse KL."""

import numpy as np

MAX_TRIES = 1000
PAIR_LETTERS = {(True, False): "B", (False, True): "C"}


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        p_dist = rng.integers(1, 10, size=3).astype(float)
        q_dist = rng.integers(1, 10, size=3).astype(float)
        p = {
            "mu": (rng.integers(-15, 16, size=3) / 10).tolist(),
            "sigma": (rng.integers(2, 16, size=3) / 10).tolist(),
            "recon": float(-rng.integers(200, 1500)) / 10,
            "beta": float(rng.choice([0.5, 2.0, 4.0, 10.0])),
            "p_dist": (p_dist / p_dist.sum()).round(3).tolist(),
            "q_dist": (q_dist / q_dist.sum()).round(3).tolist(),
            "swap": bool(rng.integers(0, 2)),
        }
        p["q_dist"][2] = round(1.0 - p["q_dist"][0] - p["q_dist"][1], 3)
        p["p_dist"][2] = round(1.0 - p["p_dist"][0] - p["p_dist"][1], 3)
        kl_pq = np.sum(np.array(p["p_dist"]) * np.log(np.array(p["p_dist"]) / p["q_dist"]))
        kl_qp = np.sum(np.array(p["q_dist"]) * np.log(np.array(p["q_dist"]) / p["p_dist"]))
        if min(p["p_dist"] + p["q_dist"]) > 0 and abs(kl_pq - kl_qp) >= 0.01 and kl_pq >= 0.05:
            return p
    raise RuntimeError("no pair of distributions with distinct KLs found; widen the ranges")


def solve(p: dict, r) -> None:
    mu, sigma = np.array(p["mu"]), np.array(p["sigma"])
    kl_terms = r.report("kl_terms", 0.5 * (mu**2 + sigma**2 - 1 - np.log(sigma**2)), dp=4)
    kl = r.report("kl", float(np.sum(kl_terms)))
    r.report("elbo", p["recon"] - kl)
    r.report("l_beta", p["recon"] - p["beta"] * kl)
    dist_p, dist_q = np.array(p["p_dist"]), np.array(p["q_dist"])
    r.report("kl_pq", float(np.sum(dist_p * np.log(dist_p / dist_q))))
    r.report("kl_qp", float(np.sum(dist_q * np.log(dist_q / dist_p))))
    truths = (False, True) if p["swap"] else (True, False)
    r.report("seeking", PAIR_LETTERS[truths])

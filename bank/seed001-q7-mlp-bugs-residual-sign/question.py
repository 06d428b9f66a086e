"""A badly configured MLP in numbers (tanh before log-softmax, Adam step size)."""

import numpy as np

INPUTS = {
    "32 x 32 colour": 3072,
    "28 x 28 grey": 784,
    "28 x 28 colour": 2352,
    "64 x 64 colour": 12288,
}
ADAM_EPS = 1e-8


def generate(rng: np.random.Generator) -> dict:
    image = str(rng.choice(sorted(INPUTS)))
    return {
        "image": image,
        "inputs": INPUTS[image],
        "hidden1": int(rng.choice([256, 384, 512, 1024])),
        "hidden2": int(rng.choice([64, 128, 256])),
        "classes": int(rng.choice([5, 10, 20, 100])),
        "lr": float(rng.choice([0.05, 0.1, 0.2, 0.5])),
        "init_std": float(rng.choice([0.01, 0.02, 0.05])),
        "grad": float(rng.integers(1, 100)) / 10000 * float(rng.choice([-1, 1])),
    }


def solve(p: dict, r) -> None:
    sizes = [p["inputs"], p["hidden1"], p["hidden2"], p["classes"]]
    r.report(
        "n_params", sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))
    )
    k = p["classes"]
    max_prob = r.report("max_prob", float(np.e / (np.e + (k - 1) / np.e)))
    r.report("min_loss", float(-np.log(max_prob)))
    g = p["grad"]
    m_hat = r.report("m_hat", (1 - 0.9) * g / (1 - 0.9), dp=6)
    v_hat = r.report("v_hat", (1 - 0.999) * g**2 / (1 - 0.999), dp=10)
    step = r.report("adam_step", abs(p["lr"] * m_hat / (np.sqrt(v_hat) + ADAM_EPS)))
    r.report("step_ratio", step / p["init_std"])

"""Layer sizes, parameter counts and FLOPs of a small CNN and its depthwise-separable variant."""

import numpy as np

AUTOENCODER_TRUTHS = [False, True, False, True, False, False]


def generate(rng: np.random.Generator) -> dict:
    d0 = int(rng.choice([3, 6, 8, 12, 16]))
    n1 = int(rng.choice([n for n in (4, 6, 8, 10, 16, 20) if n != d0]))
    f1 = int(rng.choice([3, 5, 7]))
    p2 = int(rng.integers(1, 3))
    size1 = int(rng.choice(np.arange(21, 64, 2)))
    return {
        "d0": d0,
        "in_size": size1 + f1 - 1,
        "n1": n1,
        "size1": size1,
        "n2": int(rng.choice([n for n in range(2, 9) if n not in (n1, d0)])),
        "f2": 3,
        "s2": 2,
        "size2": (size1 - 3 + 2 * p2) // 2 + 1,
        "fc_out": int(rng.choice([64, 100, 128, 256])),
    }


def solve(p: dict, r) -> None:
    d1 = r.report("d1", p["d0"])
    n1 = r.report("n1", p["n1"])
    size1, size2 = p["size1"], p["size2"]
    f1 = r.report("F1", p["in_size"] - size1 + 1)
    r.report("p2", ((size2 - 1) * p["s2"] - size1 + p["f2"]) // 2)
    r.report("params1", (d1 * f1 * f1 + 1) * n1)
    r.report("params2", (n1 * p["f2"] ** 2 + 1) * p["n2"])
    r.report("params_fc", p["n2"] * size2 * size2 * p["fc_out"] + p["fc_out"])
    r.report("dw_count", d1)
    r.report("dw_size", [1, f1, f1])
    r.report("pw_count", n1)
    r.report("pw_size", [d1, 1, 1])
    standard = r.report("flops_standard", 2 * d1 * f1**2 * n1 * size1**2)
    depthwise = r.report("flops_depthwise", 2 * f1**2 * d1 * size1**2)
    pointwise = r.report("flops_pointwise", 2 * d1 * n1 * size1**2)
    separable = r.report("flops_separable", depthwise + pointwise)
    r.report("flops_ratio", separable / standard)
    for index, truth in enumerate(AUTOENCODER_TRUTHS, start=1):
        r.report(f"ae{index}", "true" if truth else "false")

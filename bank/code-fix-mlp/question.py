"""Fixing a planted-bug MLP: variant parameters, and the facts the worked solution quotes."""

import math

import numpy as np

HIDDEN = [[512, 256], [256, 128], [384, 192], [320, 160], [448, 224]]
INPUTS = 64
CLASSES = 10


def generate(rng: np.random.Generator) -> dict:
    return {
        "hidden": HIDDEN[int(rng.integers(len(HIDDEN)))],
        "dropout": float(rng.choice([0.0, 0.1, 0.2, 0.3])),
        "lr": float(rng.choice([0.1, 0.05, 0.2, 0.5])),
        "init_std": float(rng.choice([0.01, 0.005, 0.02, 0.001])),
        # Secret: disguises this variant's digits (see question_engine/code_digits.py).
        "data_seed": int(rng.integers(2**53)),
    }


def solve(p: dict, r) -> None:
    r.report("max_confidence", math.e / (math.e + (CLASSES - 1) / math.e), dp=4)
    r.report("starter_init_scale", p["init_std"] * math.sqrt(INPUTS), dp=4)
    r.report("default_init_scale", 1 / math.sqrt(3), dp=4)

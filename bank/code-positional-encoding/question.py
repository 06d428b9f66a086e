"""Sinusoidal positional encoding as code: table sizes, base, and the exam's worked values."""

import math

import numpy as np


def generate(rng: np.random.Generator) -> dict:
    return {
        "max_len": int(rng.integers(6, 21)),
        "d_model": int(rng.choice([8, 12, 16, 20, 24, 32, 64])),
        "base": int(rng.choice([10000, 1000, 500])),
        "other_len": int(rng.integers(3, 9)),
        "other_d": int(rng.choice([6, 10, 14])),
    }


def solve(p: dict, r) -> None:
    pos = p["max_len"] - 1
    angle = r.report("last_angle_1", pos / p["base"] ** (2 / p["d_model"]), dp=4)
    r.report("last_pe_2", math.sin(angle), dp=4)
    r.report("last_pe_3", math.cos(angle), dp=4)

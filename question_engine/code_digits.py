"""scikit-learn's bundled digits, split once for training tests of code parts.

The split is fixed (seeded permutation, 20% held out). A sandbox job receives the training
images and labels and the held-out images; the held-out labels stay on the trusted side, which
scores the outputs the trained model returns for those images.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

HELD_OUT_FRACTION = 0.2
SPLIT_SEED = 0
PIXEL_MAX = 16.0


@dataclass(frozen=True)
class DigitsSplit:
    """Pixels scaled to [0, 1] as float32, labels 0–9 as int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def job_data(self) -> dict[str, np.ndarray]:
        """What a sandbox job may see: everything but the held-out labels."""
        return {"x_train": self.x_train, "y_train": self.y_train, "x_test": self.x_test}


@cache
def digits_split() -> DigitsSplit:
    """The 1,797 8x8 digits read from the installed scikit-learn package (nothing downloaded)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / PIXEL_MAX).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    cut = int(len(y) * (1 - HELD_OUT_FRACTION))
    train, test = order[:cut], order[cut:]
    return DigitsSplit(x[train], y[train], x[test], y[test])

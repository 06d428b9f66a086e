"""scikit-learn's bundled digits, disguised per variant for training tests of code parts.

The 1,797 8x8 digits are split once (seeded permutation, 20% held out). Each variant then sees
its own copy, drawn from the variant's secret `data_seed` parameter:

* the 64 pixels of every image are put in one fixed random order (an MLP does not care: its
  first layer is fully connected, so it trains exactly as well on shuffled pixels);
* every pixel gets Gaussian noise of std 0.05, clipped back to [0, 1];
* the rows of the training and of the held-out part are shuffled.

So the held-out images cannot be looked up in scikit-learn's copy of the data set (which
submitted code can import): exact matching finds nothing and nearest-neighbour matching on the
original pixel order is at chance. A sandbox job receives the training images and labels and
the held-out images; the held-out labels stay on the trusted side, which scores the outputs
the trained model returns for those images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

from question_engine.errors import QuestionRunError

HELD_OUT_FRACTION = 0.2
SPLIT_SEED = 0
PIXEL_MAX = 16.0
NOISE_STD = 0.05
SEED_PARAM = "data_seed"
CACHED_VARIANTS = 64


@dataclass(frozen=True)
class DigitsSplit:
    """Pixels in [0, 1] as float32 (n, 64), labels 0–9 as int64 (n,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def job_data(self) -> dict[str, np.ndarray]:
        """What a sandbox job may see: everything but the held-out labels."""
        return {"x_train": self.x_train, "y_train": self.y_train, "x_test": self.x_test}


@cache
def original_split() -> DigitsSplit:
    """The fixed split of the digits read from the installed scikit-learn (nothing downloaded),
    pixels scaled to [0, 1] and in their original order."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / PIXEL_MAX).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    cut = int(len(y) * (1 - HELD_OUT_FRACTION))
    train, test = order[:cut], order[cut:]
    return DigitsSplit(x[train], y[train], x[test], y[test])


def data_seed(params: Mapping[str, Any]) -> int:
    """The variant's `data_seed` parameter.

    Raises QuestionRunError when it is missing or not a non-negative integer: a question with a
    training test must draw one in generate() (e.g. `int(rng.integers(2**53))`) and give one in
    its [paper] table, and must not show it to students.
    """
    seed = params.get(SEED_PARAM)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise QuestionRunError(
            f"a code part with a training test needs a non-negative integer `{SEED_PARAM}` "
            "parameter (drawn in generate() and given in [paper]) to disguise the held-out "
            "digits for each variant"
        )
    return seed


def digits_split(params: Mapping[str, Any]) -> DigitsSplit:
    """The variant's disguised copy of the split (see the module docstring); labels unchanged.

    Deterministic for a given `data_seed`, different between seeds. Raises QuestionRunError
    when the params carry no usable `data_seed`.
    """
    return disguised_split(data_seed(params))


@lru_cache(maxsize=CACHED_VARIANTS)
def disguised_split(seed: int) -> DigitsSplit:
    """The split with pixels reordered, noise added and rows shuffled, all drawn from `seed`."""
    original = original_split()
    rng = np.random.default_rng(seed)
    pixels = rng.permutation(original.x_train.shape[1])

    def disguise(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = rng.permutation(len(y))
        noisy = x[rows][:, pixels] + rng.normal(0.0, NOISE_STD, size=x.shape)
        return np.clip(noisy, 0.0, 1.0).astype(np.float32), y[rows].copy()

    x_train, y_train = disguise(original.x_train, original.y_train)
    x_test, y_test = disguise(original.x_test, original.y_test)
    for array in (x_train, y_train, x_test, y_test):
        array.flags.writeable = False
    return DigitsSplit(x_train, y_train, x_test, y_test)

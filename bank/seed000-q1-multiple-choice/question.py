"""Four single-answer multiple-choice items; the options are shown in a shuffled order."""

import numpy as np

ITEMS = 4
OPTION_LABELS = "abcd"
CORRECT_OPTION = (1, 1, 0, 1)  # index of the right option in the paper's own order, per item


def generate(rng: np.random.Generator) -> dict:
    return {"orders": [rng.permutation(len(OPTION_LABELS)).tolist() for _ in range(ITEMS)]}


def solve(p: dict, r) -> None:
    for item, (order, correct) in enumerate(zip(p["orders"], CORRECT_OPTION, strict=True)):
        r.report(f"item{item + 1}", OPTION_LABELS[order.index(correct)])

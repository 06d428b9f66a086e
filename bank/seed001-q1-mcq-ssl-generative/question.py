"""Four multiple-choice items: self-supervision, contrastive learning, generative models, NeRF."""

import numpy as np

LETTERS = "abcd"
ITEMS = ("ssl", "contrastive", "generative", "nerf")
# Whether each option (in the paper's order, as listed in statement.md) is one to select.
SELECT = {
    "ssl": (False, True, False, True),
    "contrastive": (False, True, False, False),
    "generative": (False, True, True, False),
    "nerf": (True, False, False, False),
}


def generate(rng: np.random.Generator) -> dict:
    return {f"order_{item}": rng.permutation(4).tolist() for item in ITEMS}


def selected_labels(order: list, select: tuple) -> str:
    """The labels, as shown to the student, of the options that should be ticked."""
    return ", ".join(LETTERS[shown] for shown, original in enumerate(order) if select[original])


def solve(p: dict, r) -> None:
    for item in ITEMS:
        r.report(item, selected_labels(p[f"order_{item}"], SELECT[item]))

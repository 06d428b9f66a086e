"""Adversarial autoencoders with a Gaussian-mixture prior and label information."""

import numpy as np

LETTERS = "abcde"
# Truth of each statement, in the order listed in statement.md.
STATEMENT_TRUE = (True, True, True, True, False, False, False, False)
SHOWN = 5
MAX_TRIES = 100


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        shown = rng.choice(len(STATEMENT_TRUE), size=SHOWN, replace=False)
        true_count = sum(STATEMENT_TRUE[i] for i in shown)
        if 1 <= true_count <= SHOWN - 1:
            return {"statements": shown.tolist()}
    raise RuntimeError("no mix of true and false statements found; check STATEMENT_TRUE")


def solve(p: dict, r) -> None:
    true_labels = [LETTERS[k] for k, i in enumerate(p["statements"]) if STATEMENT_TRUE[i]]
    r.report("true_statements", ", ".join(true_labels))

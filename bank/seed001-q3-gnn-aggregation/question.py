"""Aggregation in graph neural networks: permutation invariance, and aggregating neighbours."""

import numpy as np

MAX_TRIES = 1000
LETTERS = "abcde"
PROPERTY_RIGHT = 0
# Aggregators in the order listed in statement.md; True where the result ignores neighbour order.
AGGREGATOR_INVARIANT = (True, True, True, False, False, True, False, True)
SHOWN_AGGREGATORS = 5


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        shown = rng.choice(len(AGGREGATOR_INVARIANT), size=SHOWN_AGGREGATORS, replace=False)
        invariant = sum(AGGREGATOR_INVARIANT[i] for i in shown)
        neighbours = rng.integers(-6, 7, size=(int(rng.integers(3, 5)), 3)) / 2
        order = rng.permutation(len(neighbours))
        if 0 < invariant < SHOWN_AGGREGATORS and np.all(np.abs(neighbours.sum(axis=0)) >= 0.5):
            return {
                "order_property": rng.permutation(4).tolist(),
                "aggregators": shown.tolist(),
                "neighbours": neighbours.tolist(),
                "reordered": neighbours[order].tolist(),
            }
    raise RuntimeError("no informative neighbourhood found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    r.report("property", LETTERS[p["order_property"].index(PROPERTY_RIGHT)])
    invariant = [LETTERS[k] for k, i in enumerate(p["aggregators"]) if AGGREGATOR_INVARIANT[i]]
    r.report("invariant", ", ".join(invariant))
    h = np.array(p["neighbours"])
    r.report("agg_sum", h.sum(axis=0))
    r.report("agg_mean", h.mean(axis=0))
    r.report("agg_max", h.max(axis=0))

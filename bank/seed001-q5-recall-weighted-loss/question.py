"""Recall versus accuracy, and a class-weighted cross-entropy that favours recall."""

import numpy as np

MAX_TRIES = 1000


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        positives = int(rng.integers(20, 200))
        negatives = int(rng.integers(300, 2000))
        tp = int(rng.integers(5, positives))
        tn = int(rng.integers(negatives // 2, negatives))
        labels = rng.permutation([1, 1, 0, 0]).tolist()
        p = {
            "tp": tp,
            "fn": positives - tp,
            "tn": tn,
            "fp": negatives - tn,
            "probs": (rng.integers(5, 96, size=4) / 100).tolist(),
            "labels": labels,
            "w_pos": float(rng.choice([2, 3, 5, 10, 20])),
            "w_neg": 1.0,
        }
        if abs(tp / positives - (tp + tn) / (positives + negatives)) >= 0.05:
            return p
    raise RuntimeError("no confusion matrix with distinct recall and accuracy found")


def solve(p: dict, r) -> None:
    tp, fn, fp, tn = p["tp"], p["fn"], p["fp"], p["tn"]
    total = tp + fn + fp + tn
    r.report("recall", tp / (tp + fn))
    r.report("precision", tp / (tp + fp))
    r.report("accuracy", (tp + tn) / total)
    r.report("all_positive_accuracy", (tp + fn) / total)
    probs, labels = np.array(p["probs"]), np.array(p["labels"])
    weights = np.where(labels == 1, p["w_pos"], p["w_neg"])
    losses = r.report("losses", -np.log(np.where(labels == 1, probs, 1 - probs)), dp=4)
    r.report("weighted_ce", float(np.mean(weights * losses)))

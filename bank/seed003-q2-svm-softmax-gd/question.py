"""Multiclass SVM and softmax losses with the bias trick, then one gradient-descent step."""

import numpy as np

MAX_TRIES = 1000


def augmented(p: dict):
    X = np.hstack([np.array(p["X"], dtype=float), np.ones((len(p["X"]), 1))])
    W = np.vstack([np.array(p["W"], dtype=float), np.array(p["b"], dtype=float)[None, :]])
    return X, W, np.array(p["labels"])


def svm_loss(p: dict) -> float:
    X, W, y = augmented(p)
    scores = X @ W
    margins = np.maximum(0, scores - scores[np.arange(len(y)), y][:, None] + 1)
    margins[np.arange(len(y)), y] = 0
    return float(margins.sum(axis=1).mean())


def generate(rng: np.random.Generator) -> dict:
    for _ in range(MAX_TRIES):
        labels = rng.integers(0, 2, size=3)
        p = {
            "X": rng.integers(0, 6, size=(3, 2)).tolist(),
            "labels": labels.tolist(),
            "W": (rng.integers(-9, 10, size=(2, 2)) / 10).tolist(),
            "b": [0.0, 0.0],
            "reg": float(rng.choice([0.1, 0.2, 0.3, 0.5])),
            "lr": 0.01,
        }
        X, W, _ = augmented(p)
        spread = np.abs(np.diff(X @ W, axis=1)).max()
        distinct = len({tuple(x) for x in p["X"]}) == 3
        if 0 < labels.sum() < 3 and svm_loss(p) >= 0.3 and spread <= 5 and distinct:
            return p
    raise RuntimeError("no informative data set found; widen the parameter ranges")


def solve(p: dict, r) -> None:
    X, W, y = augmented(p)
    n = len(y)
    scores = r.report("scores", X @ W)
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), y] = 0
    r.report("svm_loss", float(margins.sum(axis=1).mean()))
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = r.report("probs", shifted / shifted.sum(axis=1, keepdims=True))
    data_loss = r.report("data_loss", float(-np.log(probs[np.arange(n), y]).mean()))
    reg_loss = r.report("reg_loss", float(p["reg"] * np.sum(W**2)))
    r.report("softmax_loss", data_loss + reg_loss)
    onehot = np.eye(W.shape[1])[y]
    grad = r.report("grad_W", X.T @ (probs - onehot) / n + 2 * p["reg"] * W)
    r.report("W_new", W - p["lr"] * grad)

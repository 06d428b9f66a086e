"""Saying where and how an array differs from the expected one, to suggest what went wrong."""

from __future__ import annotations

import numpy as np

MAX_LISTED = 6
FIT_TOLERANCE = 1e-6


def index_text(index: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(i) for i in index) + (",)" if len(index) == 1 else ")")


def _ranges(indices: np.ndarray) -> str:
    """'0–3, 7' for [0, 1, 2, 3, 7], at most MAX_LISTED pieces."""
    pieces: list[str] = []
    start = previous = int(indices[0])
    for value in [*map(int, indices[1:]), None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        pieces.append(f"{start}" if start == previous else f"{start}–{previous}")
        if value is not None:
            start = previous = value
    if len(pieces) > MAX_LISTED:
        return ", ".join(pieces[:MAX_LISTED]) + ", …"
    return ", ".join(pieces)


def _fits(actual: np.ndarray, model: np.ndarray, scale: float) -> bool:
    return bool(np.max(np.abs(actual - model)) <= FIT_TOLERANCE * max(scale, 1e-12))


def relation(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """A simple relation actual = f(expected) if one holds: sign flip, factor or offset."""
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    if scale == 0.0 or not np.all(np.isfinite(actual)):
        return None
    if _fits(actual, -expected, scale):
        return "it is the expected result with the sign flipped"
    denominator = float(np.sum(expected * expected))
    factor = float(np.sum(actual * expected) / denominator)
    if abs(factor) > 1e-12 and abs(factor - 1) > 1e-6 and _fits(actual, factor * expected, scale):
        return f"it is the expected result times {factor:.6g}"
    offset = float(np.mean(actual - expected))
    if abs(offset) > FIT_TOLERANCE * scale and _fits(actual, expected + offset, scale):
        return f"it is the expected result shifted by {offset:.6g} everywhere"
    return None


def describe_where(actual: np.ndarray, expected: np.ndarray, mismatched: np.ndarray) -> str:
    """Sentences saying which rows/columns differ and any simple relation to the expected."""
    sentences: list[str] = []
    if actual.ndim == 2 and actual.shape[0] > 1 and actual.shape[1] > 1:
        rows = np.flatnonzero(mismatched.any(axis=1))
        columns = np.flatnonzero(mismatched.any(axis=0))
        row_text = "every row" if len(rows) == actual.shape[0] else f"rows {_ranges(rows)}"
        column_text = (
            "every column" if len(columns) == actual.shape[1] else f"columns {_ranges(columns)}"
        )
        sentences.append(f"Differences are in {row_text} and {column_text}.")
        difference = actual - expected
        if np.all(np.isfinite(difference)) and len(rows) == actual.shape[0] > 2:
            column_means = difference.mean(axis=0, keepdims=True)
            if _fits(difference, np.broadcast_to(column_means, difference.shape), 1.0):
                sentences.append("The error is the same in every row (a per-column error).")
    elif actual.ndim >= 1 and actual.size > 1:
        where = np.flatnonzero(mismatched.reshape(-1))
        sentences.append(
            f"{len(where)} of {actual.size} entries differ (flat positions {_ranges(where)})."
        )
    found = relation(actual, expected)
    if found:
        sentences.append(f"Your result fits a simple pattern: {found}.")
    return " ".join(sentences)

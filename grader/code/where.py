"""Saying where and how an array differs from the expected one, to suggest what went wrong."""

from __future__ import annotations

import numpy as np

MAX_LISTED = 6
FIT_TOLERANCE = 1e-6


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


def describe_where(actual: np.ndarray, expected: np.ndarray, mismatched: np.ndarray) -> str:
    """Sentences saying which rows/columns (or flat positions) differ, never by how much."""
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
            spread = np.abs(difference - column_means).max()
            if spread <= FIT_TOLERANCE * max(float(np.abs(difference).max()), 1e-12):
                sentences.append("The error is the same in every row (a per-column error).")
    elif actual.ndim >= 1 and actual.size > 1:
        where = np.flatnonzero(mismatched.reshape(-1))
        sentences.append(
            f"{len(where)} of {actual.size} entries differ (flat positions {_ranges(where)})."
        )
    return " ".join(sentences)

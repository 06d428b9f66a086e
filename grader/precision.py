"""Judging the written precision of a wrong entry: too few digits, near misses, swapped digits."""

from __future__ import annotations

from collections.abc import Iterable

from grader.parsing.number import ParsedNumber
from grader.tolerance import (
    Tolerance,
    round_decimal_places,
    significant_half_unit,
    within_decimal_places,
    within_significant_figures,
)

MIN_SIGNIFICANT_FIGURES = 2
NEAR_MISS_HALF_UNITS = 3


def insufficient_precision(
    entry: ParsedNumber, references: Iterable[float], tolerance: Tolerance
) -> bool:
    """The entry is a reference correctly rounded, but to fewer digits than the rule asks.

    Needs at least two significant figures written, so that ``-1`` never passes for ``-0.9589``.
    """
    if entry.decimals is None or entry.sig_figs is None:
        return False
    if entry.sig_figs < MIN_SIGNIFICANT_FIGURES:
        return False
    references = list(references)
    if tolerance.dp is not None and entry.decimals < tolerance.dp:
        return any(within_decimal_places(entry.value, r, entry.decimals) for r in references)
    if tolerance.sf is not None and entry.sig_figs < tolerance.sf:
        return any(within_significant_figures(entry.value, r, entry.sig_figs) for r in references)
    return False


def near_miss(value: float, references: Iterable[float], tolerance: Tolerance) -> bool:
    """Outside the band but within three half-units of the asked precision of a reference."""
    for reference in references:
        if tolerance.dp is not None:
            allowed = NEAR_MISS_HALF_UNITS * 0.5 * 10.0**-tolerance.dp
            if abs(value - reference) <= allowed:
                return True
        if tolerance.sf is not None and reference != 0:
            allowed = NEAR_MISS_HALF_UNITS * significant_half_unit(reference, tolerance.sf)
            if abs(value - reference) <= allowed:
                return True
    return False


def swapped_digits(entry: ParsedNumber, references: Iterable[float]) -> bool:
    """The entry equals a reference, written to the same decimals, with two adjacent digits
    swapped (a typo such as -0.9598 for -0.9589)."""
    if entry.decimals is None or entry.decimals < 0:
        return False
    written = f"{abs(entry.value):.{entry.decimals}f}"
    for reference in references:
        if (reference < 0) != (entry.value < 0):
            continue
        for rounded in round_decimal_places(reference, entry.decimals):
            expected = f"{abs(rounded):.{entry.decimals}f}"
            if _one_adjacent_swap(written, expected):
                return True
    return False


def _one_adjacent_swap(written: str, expected: str) -> bool:
    if len(written) != len(expected) or written == expected:
        return False
    differences = [i for i, (a, b) in enumerate(zip(written, expected, strict=True)) if a != b]
    if len(differences) != 2 or differences[1] != differences[0] + 1:
        return False
    first, second = differences
    return written[first] == expected[second] and written[second] == expected[first]

"""The ``written_sf`` rule: an answer must be *written* with an exact number of significant figures.

How figures are counted (the convention of Moodle STACK's NumSigFigs test):

* every digit from the first non-zero digit to the last digit written counts:
  ``0.00123`` has 3, ``1.50`` has 3, ``1.500`` has 4, ``1.20e-3`` has 3, ``1.00e5`` has 3;
* trailing zeros of a whole number written without a decimal point or exponent are ambiguous:
  ``1200`` counts as 2, 3 or 4 figures (``1200.`` has exactly 4, ``1.2e3`` exactly 2);
* a zero has as many figures as zeros written after its decimal point, at least one: ``0``,
  ``0.0`` and ``0%`` have 1, ``0.00`` and ``0.00e2`` have 2;
* an answer written as an expression (``55/294``, ``pi``, ``-(0.05)``) has no written figures.

A percentage counts every digit written before the ``%`` (``40%`` has 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from grader.parsing.number import ParsedNumber

WRITTEN_FIGURES_MISTAKE = "written_figures"


@dataclass(frozen=True)
class WrittenFigures:
    """The significant figures a number is written with: ``fewest`` to ``most`` (inclusive)."""

    fewest: int
    most: int

    def allows(self, figures: int) -> bool:
        """True when ``figures`` is a possible count for the number as written."""
        return self.fewest <= figures <= self.most

    def describe(self) -> str:
        """'4', or '2 to 4' for a whole number ending in zeros."""
        if self.fewest == self.most:
            return str(self.fewest)
        return f"{self.fewest} to {self.most}"


def _shortest_digits(value: float) -> int:
    """Digits of the shortest decimal form of a non-zero value, trailing zeros removed.

    For a whole number written with at most 15 digits before its trailing zeros this is exactly
    the number of those digits (every such decimal survives the round trip through a float).
    With more digits before the zeros the count may fall short by a figure or two, so such a
    number may pass ``written_sf`` = 16 or 17 when it has more.
    """
    return len(Decimal(repr(abs(value))).normalize().as_tuple().digits)


def written_figures(entry: ParsedNumber) -> WrittenFigures | None:
    """Significant figures of a number as the student wrote it; None for an expression."""
    if entry.sig_figs is None or entry.decimals is None:
        return None
    if entry.value == 0:
        figures = max(1, entry.fraction_digits or 0)
        return WrittenFigures(figures, figures)
    if entry.integer_literal:
        fewest = min(entry.sig_figs, _shortest_digits(entry.value))
        return WrittenFigures(fewest, entry.sig_figs)
    return WrittenFigures(entry.sig_figs, entry.sig_figs)


def _plural(count: int) -> str:
    return f"{count} significant figure" + ("" if count == 1 else "s")


def _what_was_written(figures: WrittenFigures | None) -> str:
    if figures is None:
        return "is an expression, not a decimal number"
    return f"has {figures.describe()}"


def written_figures_feedback(
    entries: Sequence[ParsedNumber], required: int, entry_name: Callable[[int], str] | None
) -> str | None:
    """Feedback when some entry is not written with exactly ``required`` significant figures.

    ``entries`` are in row-major order; ``entry_name`` names an entry by its flat index
    ("row 1, column 2") and is None for a single number. Returns None when every entry fits.
    """
    misfits = []
    for index, entry in enumerate(entries):
        figures = written_figures(entry)
        if figures is None or not figures.allows(required):
            misfits.append((index, figures))
    if not misfits:
        return None
    notes = []
    if any(figures is None for _, figures in misfits):
        notes.append("Write a decimal number, such as 0.0123 or 1.23×10^-4.")
    if any(figures is not None and figures.fewest < figures.most for _, figures in misfits):
        notes.append(
            "Zeros at the end of a whole number may or may not count (1200 has 2 to 4); a "
            "decimal point or an exponent makes them count (1200. and 1.200e3 have 4)."
        )
    if entry_name is None:
        written = _what_was_written(misfits[0][1])
        sentence = f"Give your answer to exactly {_plural(required)}; yours {written}"
    else:
        listed = "; ".join(
            f"{entry_name(index)} {_what_was_written(figures)}" for index, figures in misfits
        )
        sentence = f"Give every entry to exactly {_plural(required)}: {listed}"
    return " ".join([sentence + ".", *notes])

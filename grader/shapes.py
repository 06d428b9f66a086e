"""Array shapes: what a kind of answer may look like, and whether an answer fits its reference.

Before submission only the kind is checked (a vector is one row or column, a matrix has at most
two axes): the expected shape is part of the answer, so no message before marking may depend
on it. A shape that does not fit the reference is marked wrong, with neutral feedback.
"""

from __future__ import annotations

from grader.errors import AnswerFormatError

SQUEEZABLE_KINDS = frozenset({"number", "vector", "matrix"})
SHAPE_MISMATCH_FEEDBACK = (
    "Incorrect: your answer does not have the shape this part asks for (the number of rows, "
    "columns or entries differs). Check the question for what it asks."
)


def shape_text(shape: tuple[int, ...]) -> str:
    """'3×2' for a matrix shape, 'a single number' for a scalar."""
    return "×".join(str(n) for n in shape) if shape else "a single number"


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def shapes_fit(kind: str, answer: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    """True when an answer of shape ``answer`` can stand for ``expected`` in this kind.

    Numbers, vectors and matrices ignore length-1 axes (a column, a row and a flat list of the
    same entries are the same vector); tensors must match exactly.
    """
    if answer == expected:
        return True
    return kind in SQUEEZABLE_KINDS and _squeezed(answer) == _squeezed(expected)


def is_transposed(answer: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    """True when ``answer`` is the shape of a non-square ``expected`` matrix's transpose."""
    return len(answer) == len(expected) == 2 and answer != expected and answer == expected[::-1]


def check_kind_shape(kind: str, shape: tuple[int, ...]) -> None:
    """Raise AnswerFormatError unless the number of axes fits the kind (never the size).

    The messages say what kind of answer is expected, as the statement does, and nothing
    taken from the reference.
    """
    if kind == "vector" and len(_squeezed(shape)) > 1:
        raise AnswerFormatError(
            "enter a vector (one row or one column of numbers, like [1, 2, 3]), not an array "
            f"of shape {shape_text(shape)}"
        )
    if kind == "matrix" and len(shape) > 2:
        raise AnswerFormatError(
            "enter a matrix (rows of numbers, like [[1, 2], [3, 4]]), not a "
            f"{len(shape)}-dimensional array"
        )

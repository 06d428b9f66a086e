"""Checking that an array answer has the shape the part asks for."""

from __future__ import annotations

from grader.errors import AnswerFormatError

SQUEEZABLE_KINDS = frozenset({"number", "vector", "matrix"})


def shape_text(shape: tuple[int, ...]) -> str:
    """'3×2' for a matrix shape, 'a single number' for a scalar."""
    return "×".join(str(n) for n in shape) if shape else "a single number"


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def conform_shape(kind: str, answer: tuple[int, ...], expected: tuple[int, ...]) -> None:
    """Raise AnswerFormatError unless ``answer`` can stand for ``expected`` in this kind.

    Numbers, vectors and matrices ignore length-1 axes (a column, a row and a flat list of the
    same entries are the same vector); tensors must match exactly.
    """
    if answer == expected:
        return
    if kind in SQUEEZABLE_KINDS and _squeezed(answer) == _squeezed(expected):
        return
    if kind == "number":
        raise AnswerFormatError("enter a single number here, not a list of numbers")
    got, wanted = shape_text(answer), shape_text(expected)
    if len(_squeezed(expected)) <= 1 and len(_squeezed(answer)) <= 1:
        wanted_count, got_count = (
            max(_squeezed(expected), default=1),
            max(_squeezed(answer), default=1),
        )
        raise AnswerFormatError(f"expected {wanted_count} entries, got {got_count}")
    if len(answer) == 2 and answer == expected[::-1]:
        raise AnswerFormatError(f"expected {wanted}, got {got} — is it transposed?")
    raise AnswerFormatError(f"expected an array of shape {wanted}, got {got}")


def check_kind_shape(kind: str, shape: tuple[int, ...]) -> None:
    """Without a known expected shape, check the number of axes fits the kind."""
    if kind == "vector" and len(_squeezed(shape)) > 1:
        raise AnswerFormatError(
            f"enter a vector (one row or one column of numbers), not a {shape_text(shape)} array"
        )
    if kind == "matrix" and len(shape) > 2:
        raise AnswerFormatError(
            f"enter a matrix (rows of numbers), not a {len(shape)}-dimensional array"
        )

"""Comparing plain outputs of submitted code with the reference's, torch.testing style.

Outputs arrive from the sandbox as plain trees (see `question_engine/jobs/code_tests.py`):
``{"type": "tensor" | "array", "dtype", "shape", "values"}``, ``{"type": "sequence", "items"}``,
``{"type": "number", "value"}``, ``{"type": "text", "value"}``, ``{"type": "none"}`` or
``{"type": "other", "name"}``. Anything else is reported as unreadable, never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.code.where import describe_where

TYPE_NAMES = {
    "tensor": "a torch.Tensor",
    "array": "a numpy array",
    "sequence": "a tuple/list",
    "number": "a Python number",
    "text": "a string",
    "none": "None",
}


ARRAY_KINDS = ("tensor", "array")


def kind_of(value: Any) -> str:
    """The plain output's type tag, or 'unreadable'."""
    if isinstance(value, Mapping) and isinstance(value.get("type"), str):
        return value["type"]
    return "unreadable"


def type_name(value: Any) -> str:
    kind = kind_of(value)
    if kind == "other":
        return f"an object of type {value.get('name', '?')}"
    return TYPE_NAMES.get(kind, "data the marker cannot read")


def compare_outputs(
    actual: Any, expected: Any, rtol: float, atol: float, what: str = "output"
) -> str | None:
    """None when `actual` matches `expected` within tolerance, else a message saying how not."""
    expected_kind, actual_kind = kind_of(expected), kind_of(actual)
    if actual_kind != expected_kind:
        return f"{what}: expected {type_name(expected)}, got {type_name(actual)}."
    if expected_kind in ARRAY_KINDS:
        return _compare_tensors(actual, expected, rtol, atol, what)
    if expected_kind == "sequence":
        return _compare_sequences(actual, expected, rtol, atol, what)
    if expected_kind == "number":
        return _compare_numbers(actual, expected, rtol, atol, what)
    if expected_kind in ("text", "none", "other"):
        return None if actual == expected else f"{what}: expected {expected!r}, got {actual!r}."
    return f"{what}: the reference produced data the marker cannot read."


def _compare_sequences(
    actual: Any, expected: Any, rtol: float, atol: float, what: str
) -> str | None:
    got, want = actual.get("items"), expected.get("items")
    if not isinstance(got, list) or not isinstance(want, list):
        return f"{what}: the returned sequence cannot be read."
    if len(got) != len(want):
        return f"{what}: expected {len(want)} returned values, got {len(got)}."
    for index, (item, reference) in enumerate(zip(got, want, strict=True)):
        message = compare_outputs(item, reference, rtol, atol, f"{what}[{index}]")
        if message:
            return message
    return None


def _compare_numbers(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> str | None:
    got, want = actual.get("value"), expected.get("value")
    if not _is_number(got) or not _is_number(want):
        return f"{what}: expected a number, got {got!r}."
    if abs(got - want) <= atol + rtol * abs(want):
        return None
    return (
        f"{what}: scalars are not close: they differ by {magnitude(abs(got - want))} "
        f"(up to {atol:g} + {rtol:g} × |expected| allowed)."
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def array_of(value: Mapping[str, Any]) -> np.ndarray | None:
    values = value.get("values")
    if not isinstance(values, np.ndarray):
        return None
    shape = value.get("shape")
    if not isinstance(shape, list) or tuple(shape) != values.shape:
        return None
    return values


def _compare_tensors(
    actual: Mapping[str, Any], expected: Mapping[str, Any], rtol: float, atol: float, what: str
) -> str | None:
    got, want = array_of(actual), array_of(expected)
    if want is None:
        return f"{what}: the reference produced a tensor the marker cannot read."
    if got is None:
        return f"{what}: the returned tensor cannot be read."
    if got.shape != want.shape:
        hint = " (transposed?)" if got.shape == want.shape[::-1] and got.ndim == 2 else ""
        return f"{what}: the shape is {tuple(got.shape)}, expected {tuple(want.shape)}{hint}."
    if actual.get("dtype") != expected.get("dtype"):
        return (
            f"{what}: the dtype is {actual.get('dtype')}, expected {expected.get('dtype')} "
            "(keep the input's dtype; create new tensors or arrays with dtype=x.dtype)."
        )
    if got.dtype.kind == "b" or want.dtype.kind == "b":
        return _compare_exact(got, want, what)
    return values_message(
        got.astype(np.float64),
        want.astype(np.float64),
        rtol,
        atol,
        what,
        "arrays" if kind_of(expected) == "array" else "tensor-likes",
    )


def _compare_exact(got: np.ndarray, want: np.ndarray, what: str) -> str | None:
    mismatched = got != want
    if not mismatched.any():
        return None
    count = int(mismatched.sum())
    return f"{what}: {count} of {want.size} entries differ."


def magnitude(difference: float) -> str:
    """A difference as an order of magnitude ("about 1e-03"): it says how far off a result is
    without giving away the expected value (no index, no exact figure)."""
    if not np.isfinite(difference):
        return "unbounded (the expected value there is 0)"
    if difference <= 0:
        return "0"
    return f"about 1e{int(np.floor(np.log10(difference) + 0.5)):+03d}"


def values_message(
    got: np.ndarray,
    want: np.ndarray,
    rtol: float,
    atol: float,
    what: str,
    noun: str = "tensor-likes",
) -> str | None:
    """The torch.testing-style report for two same-shape float arrays, or None if close.

    It gives the mismatched count and share, the order of magnitude of the median difference
    over the mismatched elements, and where the differences are (rows, columns, positions), but
    no value, index, greatest difference or factor from which expected values could be solved
    for: a greatest difference would follow one entry the submission controls (set every other
    entry far off and bisect on that one), a median over the mismatched elements does not."""
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.abs(got - want)
        allowed = atol + rtol * np.abs(want)
        both_nan = np.isnan(got) & np.isnan(want)
        same_inf = np.isinf(want) & (got == want)
        close = (difference <= allowed) | both_nan | same_inf
    mismatched = ~close
    if not mismatched.any():
        return None
    count = int(mismatched.sum())
    lines = [
        f"{what}: {noun} are not close!",
        f"Mismatched elements: {count} / {want.size} ({100.0 * count / want.size:.1f}%)",
    ]
    if not np.all(np.isfinite(got)):
        bad = int((~np.isfinite(got)).sum())
        lines.append(f"{bad} entries of your result are NaN or infinite.")
    else:
        typical = float(np.median(difference[mismatched]))
        lines.append(
            f"Typical difference where it is not close (the median): {magnitude(typical)} "
            f"(up to {atol:g} + {rtol:g} × |expected| allowed)"
        )
    where = describe_where(got, want, mismatched)
    if where:
        lines.append(where)
    return "\n".join(lines)

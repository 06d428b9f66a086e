"""Reference values (numbers or nested lists of numbers) read as finite float arrays."""

from __future__ import annotations

from typing import Any

import numpy as np


def finite_array(raw: Any) -> np.ndarray | None:
    """`raw` as a float64 array of its own shape, or None when it is not a finite numeric value.

    None for: None, a value that is not numeric (a dict, text that is not a number), ragged
    nested lists, and values with an entry that is not finite or too large for a float (an
    integer such as 10**400, which a solver may compute from a student's huge answer). Never
    raises, so no reference value, path value or alternative can stop an answer being marked.
    """
    if raw is None:
        return None
    try:
        values = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return None
    return values if bool(np.all(np.isfinite(values))) else None

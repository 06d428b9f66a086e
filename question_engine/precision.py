"""How many decimal places each quantity is rounded to in the solver's rounded mode."""

from __future__ import annotations

import grader
from question_engine.definition import QuestionDefinition


def decimals_by_quantity(q: QuestionDefinition) -> dict[str, int]:
    """Rounding precision per solver quantity, from the parts that ask for those quantities."""
    decimals: dict[str, int] = {}
    for part in q.parts:
        dp = grader.rounding_decimals(part.spec())
        if dp is not None:
            decimals[part.quantity] = min(dp, decimals.get(part.quantity, dp))
    return decimals

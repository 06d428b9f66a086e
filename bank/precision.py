"""How many decimal places each quantity is rounded to in the solver's rounded mode."""

from __future__ import annotations

from typing import Any

from bank.definition import QuestionDefinition


def part_decimals(rule: dict[str, Any]) -> int | None:
    """Decimal places a part's rule asks answers to be given to, or None when it asks none."""
    tolerance = rule.get("tolerance")
    if isinstance(tolerance, dict) and isinstance(tolerance.get("dp"), int):
        return int(tolerance["dp"])
    return None


def decimals_by_quantity(q: QuestionDefinition) -> dict[str, int]:
    """Rounding precision per solver quantity, from the parts that ask for those quantities."""
    decimals: dict[str, int] = {}
    for part in q.parts:
        dp = part_decimals(part.rule) if part.auto_marked else None
        if dp is not None:
            decimals[part.quantity] = min(dp, decimals.get(part.quantity, dp))
    return decimals

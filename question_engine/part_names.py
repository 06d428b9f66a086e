"""Unique, paper-like display names for a question's parts (plain Python, no Django)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def part_display_names(parts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name every part of one question so no two parts share a name.

    `parts` are (label, source_part) pairs in part order; labels are unique within a
    question. A part is named as the paper prints it (its source_part, e.g. "(b)(ii)"),
    or "(<label>)" when it has none. When n parts would share a name, they are named
    "<name> 1 of n", "<name> 2 of n", ... in part order. Returns {label: display name}.
    In the unlikely case a numbered name still equals another part's name, " [<label>]"
    is appended to the later one so the result is always unique.
    """
    pairs = list(parts)
    bases = [(label, source_part.strip() or f"({label})") for label, source_part in pairs]
    totals = Counter(base for _, base in bases)
    seen: Counter[str] = Counter()
    names: dict[str, str] = {}
    used: set[str] = set()
    for label, base in bases:
        if totals[base] > 1:
            seen[base] += 1
            name = f"{base} {seen[base]} of {totals[base]}"
        else:
            name = base
        if name in used:
            name = f"{name} [{label}]"
        used.add(name)
        names[label] = name
    return names

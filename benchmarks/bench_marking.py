"""Numeric answers marked per second (run: .venv/bin/python benchmarks/bench_marking.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import PartSpec, Reference, mark_part  # noqa: E402

DP2 = {"tolerance": {"dp": 2}}
REFERENCE = Reference(
    exact={"J": 1.6791, "u1": [1.3, -4.7, 3.6], "W": [[0.038, 0.0], [-0.044, 0.0], [0.044, 0.0]]},
    rounded={"J": 1.66, "u1": [1.3, -4.7, 3.6], "W": [[0.03, 0.0], [-0.03, 0.0], [0.03, 0.0]]},
)
CASES = {
    "number, exact": (PartSpec("J", "number", 2, DP2), "1.68"),
    "number, rounded path": (PartSpec("J", "number", 2, DP2), "1.66"),
    "number, sign error": (PartSpec("J", "number", 2, DP2), "-1.68"),
    "number, unexplained": (PartSpec("J", "number", 2, DP2), "7.5"),
    "number, expression": (PartSpec("J", "number", 2, DP2), "-ln(0.19) + 1/60"),
    "vector, exact": (PartSpec("u1", "vector", 2, DP2), "[1.3, -4.7, 3.6]"),
    "matrix, per-element": (
        PartSpec("W", "matrix", 2, {**DP2, "per_element_credit": True}),
        "[[-0.04, 0], [-0.04, 0], [0.04, 0]]",
    ),
}


def rate(part: PartSpec, answer: str, seconds: float = 0.5) -> float:
    """Answers marked per second over roughly ``seconds`` of repeated marking."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            mark_part(part, REFERENCE, answer)
        count += 50
    return count / elapsed


def main() -> None:
    rates = {name: rate(part, answer) for name, (part, answer) in CASES.items()}
    width = max(map(len, rates))
    for name, value in rates.items():
        print(f"{name:<{width}}  {value:10,.0f} answers/s  ({1e6 / value:7.1f} µs each)")
    overall = len(rates) / sum(1 / value for value in rates.values())
    print(f"{'harmonic mean':<{width}}  {overall:10,.0f} answers/s")


if __name__ == "__main__":
    main()

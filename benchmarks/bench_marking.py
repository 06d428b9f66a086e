"""Numeric answers marked per second, and whole seed-paper questions marked in the worker's path.

Run: ``.venv/bin/python benchmarks/bench_marking.py [--repeats 5] [--numeric-only]``.

1. Numeric answers marked per second by the marking library (one process, no sandbox).
2. Whole questions of the five seed papers (`exams/papers.toml`; code questions, whose marking
   `bench_code_marking.py` measures, left out) marked by `exams.variant_marking`'s
   `variant_answers_mark` — the worker's path — on answers that make every numeric part
   with a perturbed chain match one (so the marker checks the solver's alternatives),
   p50/p95 per question against the 50 ms target:
   * feeds recorded (what the worker does now: the version's quantity feeds, recorded at
     `bank sync`, are known, so the carried-forward sandbox job runs only when one of these
     answers feeds another answered part);
   * stored alternatives (feeds unknown: the carried-forward job for every submission, as
     before feeds were recorded; variants built with perturbations);
   * alternatives computed while marking (variants stored before them);
   * no alternatives (marking as before perturbations existed).
3. How long building a variant takes with and without perturbed runs.

Uses SANDBOX_SOCKET when set, otherwise starts a local sandbox server (run as root so every
isolation layer is on).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import grader  # noqa: E402
from grader import PartSpec, Reference, mark_part  # noqa: E402

TARGET_P50_MS = 50.0
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
NUMERIC_KINDS = {"number", "integer", "vector", "matrix", "tensor"}


def rate(part: PartSpec, answer: str, seconds: float = 0.5) -> float:
    """Answers marked per second over roughly ``seconds`` of repeated marking."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            mark_part(part, REFERENCE, answer)
        count += 50
    return count / elapsed


def numeric_rates() -> None:
    rates = {name: rate(part, answer) for name, (part, answer) in CASES.items()}
    width = max(map(len, rates))
    for name, value in rates.items():
        print(f"{name:<{width}}  {value:10,.0f} answers/s  ({1e6 / value:7.1f} µs each)")
    overall = len(rates) / sum(1 / value for value in rates.values())
    print(f"{'harmonic mean':<{width}}  {overall:10,.0f} answers/s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def seed_paper_questions() -> list[Any]:
    """The bank questions of the seed papers without code parts, each once, in paper order."""
    import question_engine

    papers = tomllib.loads((ROOT / "exams" / "papers.toml").read_text())["papers"]
    bank = question_engine.discover_questions(ROOT / "bank")
    chosen: dict[str, Any] = {}
    for paper in papers:
        for q in bank:
            if paper["seed_file"] in q.source and not any(p.kind == "code" for p in q.parts):
                chosen.setdefault(q.slug, q)
    return list(chosen.values())


def triggering_answers(q: Any, variant: Any) -> dict[str, str]:
    """Answers: each numeric part with a perturbed chain gives that chain's value; every other
    part its right answer (text parts a sentence)."""
    alternatives = variant.reference.alternatives or {}
    answers = {}
    for part in q.parts:
        if part.kind == "text":
            answers[part.label] = "An answer for the instructor to mark."
            continue
        exact = variant.reference.exact[part.quantity]
        chains = alternatives.get(part.quantity, {}) if part.kind in NUMERIC_KINDS else {}
        value = next(iter(chains.values()), {}).get("value", exact) if chains else exact
        answers[part.label] = value if isinstance(value, str) else json.dumps(value)
    return answers


def timed(function, repeats: int) -> list[float]:
    function()
    latencies = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def measure_question(q: Any, repeats: int) -> dict[str, Any]:
    """Build and marking latencies (ms) of one question, and how many parts got a mistake
    named from a perturbed run."""
    import question_engine
    from exams.variant_marking import variant_answers_mark
    from question_engine.feeds import quantity_feeds

    which = {"paper": True} if q.paper_params is not None else {"seed": 0}
    builds = {
        label: statistics.median(
            timed(partial(question_engine.build_variant, q, **which, perturbations=flag), 3)
        )
        for label, flag in (("with perturbations", True), ("without", False))
    }
    variant = question_engine.build_variant(q, **which)
    answers = triggering_answers(q, variant)
    alternatives = variant.reference.alternatives or {}
    base = {"exact": variant.reference.exact, "rounded": variant.reference.rounded}
    references = {
        "stored alternatives": {**base, "alternatives": alternatives},
        "computed while marking": base,
        "no alternatives": {**base, "alternatives": {}},
    }
    marks = {
        "feeds recorded": partial(
            variant_answers_mark,
            definition=dataclasses.replace(q, quantity_feeds=quantity_feeds(q)),
            params=variant.params,
            reference=references["stored alternatives"],
            answers=answers,
        )
    }
    marks |= {
        mode: partial(
            variant_answers_mark,
            definition=q,
            params=variant.params,
            reference=reference,
            answers=answers,
        )
        for mode, reference in references.items()
    }
    specs = q.part_specs()
    parsed = grader.parse_answers(specs, answers)
    carried = question_engine.carried_forward_values(q, variant.params, parsed)
    grading = {
        mode: partial(
            grader.mark_question,
            specs,
            Reference(**reference, carried_forward=carried),
            answers,
        )
        for mode, reference in references.items()
        if mode != "computed while marking"
    }
    result = marks["stored alternatives"]()
    named = sum(
        any(name in alternatives.get(q.part(label).quantity, {}) for name in part.mistakes)
        for label, part in result.parts.items()
    )
    return {
        "builds": builds,
        "marks": {mode: timed(mark, repeats) for mode, mark in marks.items()},
        "grading": {mode: timed(mark, repeats) for mode, mark in grading.items()},
        "named": named,
    }


def question_marking(repeats: int) -> None:
    questions = seed_paper_questions()
    measured = [measure_question(q, repeats) for q in questions]
    named = sum(m["named"] for m in measured)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nWhole seed-paper questions in the worker's path ({len(questions)} questions, "
        f"{repeats} markings each; {named} parts named from perturbed runs; "
        f"{os.cpu_count()} cores, load average {load}):"
    )
    for mode in measured[0]["marks"]:
        latencies = [ms for m in measured for ms in m["marks"][mode]]
        p50 = statistics.median(latencies)
        verdict = "meets" if p50 <= TARGET_P50_MS else "MISSES"
        print(
            f"  {mode:<24} p50 {p50:6.1f} ms   p95 {percentile(latencies, 0.95):6.1f} ms   "
            f"({verdict} the {TARGET_P50_MS:g} ms p50 target)"
        )
    print("Of which the marking library alone (mark_question, no sandbox job):")
    for mode in measured[0]["grading"]:
        latencies = [ms for m in measured for ms in m["grading"][mode]]
        print(
            f"  {mode:<24} p50 {statistics.median(latencies):6.2f} ms   "
            f"p95 {percentile(latencies, 0.95):6.2f} ms"
        )
    print("Building one variant (median of 3 per question; p50/p95 over the questions):")
    for label in measured[0]["builds"]:
        times = [m["builds"][label] for m in measured]
        print(
            f"  {label:<24} p50 {statistics.median(times):6.1f} ms   "
            f"p95 {percentile(times, 0.95):6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="markings per question and mode")
    parser.add_argument(
        "--numeric-only", action="store_true", help="only the answers-per-second figures"
    )
    arguments = parser.parse_args()
    numeric_rates()
    if not arguments.numeric_only:
        question_marking(arguments.repeats)


if __name__ == "__main__":
    main()

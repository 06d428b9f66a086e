"""A variant's named alternatives: the solver's perturbed runs as wrong values with feedback.

The sandbox job (`jobs/perturbations.py`) returns, per perturbation that changed the chain,
its step and the asked quantities it changed; here each becomes an alternative of the
variant's reference (``{quantity: {perturbation: {"value", "rounded", "feedback"}}}``),
except where the part's own tolerance accepts it against the right answer (it is not a
mistake there: recorded in `coinciding`, which `bank validate` reports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import grader
from grader.mistakes import alternative_is_right
from question_engine.definition import PartDefinition, PerturbationSettings, QuestionDefinition

NUMERIC_KINDS = frozenset({"number", "integer", "vector", "matrix", "tensor"})
PHRASES = {
    "log10_for_ln": "using log₁₀ instead of ln",
    "log2_for_ln": "using log₂ instead of ln",
    "ln_for_log10": "using ln instead of log₁₀",
    "ln_for_log2": "using ln instead of log₂",
    "degrees": "with angles read in degrees instead of radians",
    "round_2dp": "rounded to 2 decimal places too early",
    "round_2sf": "rounded to 2 significant figures too early",
}


@dataclass(frozen=True)
class PerturbationReport:
    """What the perturbed runs of one variant gave, beyond its alternatives.

    `coinciding` holds (perturbation, part label, path) triples whose wrong value the part
    accepts as right (so they are never named there); `unknown_off` the `[perturbations] off`
    entries that match nothing; `skipped` perturbations not run for lack of time;
    `optional` and `slips` the names `solve` passed to ``r.optional`` and ``r.slip``.
    """

    coinciding: tuple[tuple[str, str, str], ...] = ()
    unknown_off: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    slips: tuple[str, ...] = ()
    alternatives: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def asked_quantities(q: QuestionDefinition) -> list[str]:
    """Quantities of the numeric parts that may name mistakes from perturbed runs (neither
    ``mistakes = false`` nor ``perturbations = false`` in their rule)."""
    asked: list[str] = []
    for part in _named_parts(q):
        if part.quantity not in asked:
            asked.append(part.quantity)
    return asked


def perturb_request(q: QuestionDefinition) -> dict[str, Any]:
    """The `perturb` argument of the question job's entry points."""
    return {"asked": asked_quantities(q), "off": list(q.perturbations.off)}


def _named_parts(q: QuestionDefinition) -> list[PartDefinition]:
    return [
        part
        for part in q.parts
        if part.kind in NUMERIC_KINDS
        and part.rule.get("mistakes", True) is not False
        and part.rule.get("perturbations", True) is not False
    ]


def phrase(chain: Mapping[str, Any], settings: PerturbationSettings) -> str:
    """How the feedback names a perturbation: the words after "the answer you get"."""
    family, target = chain["family"], chain["target"]
    if family == "transpose":
        return f"with {target} transposed"
    if family == "sign":
        return f"with the sign of {target} flipped"
    if family == "early_rounding":
        return f"with {target} {PHRASES[chain['name'].split(':')[0]]}"
    if family == "optional":
        return settings.optional.get(target) or f"leaving out the {_words(target)} term"
    if family == "slip":
        return settings.slips.get(target) or f"making the slip '{_words(target)}'"
    return PHRASES[chain["name"]]


def _words(name: str) -> str:
    return name.replace("_", " ")


def feedback(quantity: str, chain: Mapping[str, Any], settings: PerturbationSettings) -> str:
    """The sentence naming the mistake and the step it first shows in; never a value."""
    return (
        f"Your {quantity} matches the answer you get {phrase(chain, settings)} "
        f"(first wrong at step {chain['step']}, {chain['at']})."
    )


def perturbation_report(
    q: QuestionDefinition, reference: grader.Reference, found: Mapping[str, Any]
) -> PerturbationReport:
    """The variant's alternatives and report from the job's perturbed runs (`found`)."""
    alternatives: dict[str, dict[str, dict[str, Any]]] = {}
    coinciding: list[tuple[str, str, str]] = []
    for part in _named_parts(q):
        spec = part.spec()
        for chain in found.get("chains", ()):
            for path, key in (("value", "values"), ("rounded", "rounded")):
                value = chain.get(key, {}).get(part.quantity)
                if value is None:
                    continue
                if _is_right(spec, reference, value):
                    coinciding.append((chain["name"], part.label, path))
                    continue
                entry = alternatives.setdefault(part.quantity, {}).setdefault(
                    chain["name"],
                    {"feedback": feedback(part.quantity, chain, q.perturbations)},
                )
                entry[path] = value
    return PerturbationReport(
        coinciding=tuple(coinciding),
        unknown_off=tuple(found.get("unknown_off", ())),
        skipped=tuple(found.get("skipped", ())),
        optional=tuple(found.get("optional", ())),
        slips=tuple(found.get("slips", ())),
        alternatives={quantity: _distinct(named) for quantity, named in alternatives.items()},
    )


def _distinct(named: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The alternatives with the same values as an earlier one left out: two perturbations
    that are the same calculation here (h1 = 0.4567 rounded to 2 decimal places and to 2
    significant figures) are one mistake, named once, by the first."""
    kept: dict[str, Mapping[str, Any]] = {}
    seen: list[tuple[Any, Any]] = []
    for name, entry in named.items():
        values = (entry.get("value"), entry.get("rounded"))
        if any(_same(values, other) for other in seen):
            continue
        seen.append(values)
        kept[name] = entry
    return kept


def _same(first: tuple[Any, Any], second: tuple[Any, Any]) -> bool:
    for a, b in zip(first, second, strict=True):
        if (a is None) != (b is None):
            return False
        if a is None:
            continue
        try:
            a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        except (OverflowError, TypeError, ValueError):
            return False
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=0.0):
            return False
    return True


def _is_right(spec: grader.PartSpec, reference: grader.Reference, value: Any) -> bool:
    try:
        return alternative_is_right(spec, reference, value)
    except (grader.RuleError, TypeError, ValueError):
        return True

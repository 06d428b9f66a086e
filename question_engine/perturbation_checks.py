"""What `bank validate` says about a question's perturbed solver runs.

Problems (validation fails): ``[perturbations] off`` entries that match no perturbation in
any variant, ``r.slip`` names without a phrase, phrases for names `solve` never uses.
Notes (validation passes): perturbations whose wrong value a part accepts as right in some
variant (they are not named there), and perturbations skipped for lack of time.
"""

from __future__ import annotations

from collections.abc import Sequence

from question_engine.alternatives import PerturbationReport
from question_engine.definition import QuestionDefinition
from question_engine.jobs.perturbations import ROUNDINGS
from question_engine.variants import VariantBuild

MAX_SEEDS_LISTED = 8
ROUNDING_PREFIXES = tuple(f"{prefix}:" for prefix in ROUNDINGS)


def perturbation_findings(
    q: QuestionDefinition, variants: Sequence[tuple[str, VariantBuild]]
) -> tuple[list[str], list[str]]:
    """(problems, notes) about the perturbed runs of `variants` (name, build) of `q`."""
    reports = [(name, v.perturbations) for name, v in variants if v.perturbations is not None]
    if not reports:
        return [], []
    where = f"bank/{q.slug}/question.toml: [perturbations]"
    problems: list[str] = []
    unknown = set.intersection(*(set(report.unknown_off) for _, report in reports))
    problems += [
        f"{where} off: {entry!r} matches no perturbation of any variant; check the quantity, "
        "param or term name after the colon (or remove the entry)"
        for entry in sorted(unknown)
    ]
    for key, method, settings in (
        ("slips", "r.slip", q.perturbations.slips),
        ("optional", "r.optional", q.perturbations.optional),
    ):
        used = {name for _, report in reports for name in getattr(report, key)}
        problems += [
            f"{where} {key}.{name}: solve never calls {method}({name!r}, ...); "
            "remove the phrase or fix the name"
            for name in sorted(set(settings) - used)
        ]
        if key == "slips":
            problems += [
                f"bank/{q.slug}/question.py: {method}({name!r}, ...) has no phrase; add "
                f'[perturbations] slips.{name} = "<how the mistake reads after '
                "'the answer you get'>\" to question.toml"
                for name in sorted(used - set(settings))
            ]
    return problems, _coinciding_notes(q, reports) + _skipped_notes(q, reports)


def _coinciding_notes(
    q: QuestionDefinition, reports: Sequence[tuple[str, PerturbationReport]]
) -> list[str]:
    """One note per perturbation that gives a right answer somewhere (parts with the same
    variants listed together), and one line counting the early roundings that do (rounding
    an intermediate usually leaves a later answer inside its band: expected, not news)."""
    seen: dict[str, dict[str, list[str]]] = {}
    for name, report in reports:
        for perturbation, label, _path in report.coinciding:
            variants = seen.setdefault(perturbation, {}).setdefault(label, [])
            if name not in variants:
                variants.append(name)
    notes, roundings = [], []
    for perturbation, by_part in seen.items():
        if perturbation.startswith(ROUNDING_PREFIXES):
            roundings.append(perturbation)
            continue
        by_variants: dict[tuple[str, ...], list[str]] = {}
        for label, names in by_part.items():
            by_variants.setdefault(tuple(names), []).append(label)
        where = "; ".join(
            f"part{'s' if len(labels) > 1 else ''} {', '.join(labels)} in {_listed(names)}"
            for names, labels in by_variants.items()
        )
        notes.append(
            f"bank/{q.slug}: perturbation {perturbation!r} gives an answer accepted as right "
            f"({where}); it is not named there"
        )
    if roundings:
        notes.append(
            f"bank/{q.slug}: {len(roundings)} early-rounding perturbation(s) (e.g. "
            f"{roundings[0]!r}) give an answer accepted as right in some variants; they are "
            "not named there"
        )
    return notes


def _listed(names: Sequence[str]) -> str:
    listed = ", ".join(names[:MAX_SEEDS_LISTED])
    if len(names) > MAX_SEEDS_LISTED:
        listed += f" and {len(names) - MAX_SEEDS_LISTED} more"
    return listed


def _skipped_notes(
    q: QuestionDefinition, reports: Sequence[tuple[str, PerturbationReport]]
) -> list[str]:
    return [
        f"bank/{q.slug}: {name}: {len(report.skipped)} perturbation(s) not run for lack of time "
        f"(e.g. {report.skipped[0]!r}); fewer mistakes can be named there"
        for name, report in reports
        if report.skipped
    ]

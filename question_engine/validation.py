"""Checking a question before it is used: well-posed variants, renderable text, sound marking."""

from __future__ import annotations

import json
import math
from typing import Any

import grader
from grader.kinds.formula import reference_formula_problem
from question_engine.choice_options import missing_option_problems, repeated_option_problems
from question_engine.code_validation import code_part_problems
from question_engine.definition import QuestionDefinition, Sample
from question_engine.errors import BankError
from question_engine.jobs.question import round_half_away
from question_engine.perturbation_checks import perturbation_findings
from question_engine.render import answer_text
from question_engine.variants import VariantBuild, build_variants, carried_forward_values

MAX_REPEATED_VARIANTS = 0.1


def validate_question(
    q: QuestionDefinition, *, seeds: int = 30, notes: list[str] | None = None
) -> list[str]:
    """Problems found in `q` (empty when it is fit to use), each naming where it was found.

    Remarks that do not make `q` unfit (e.g. perturbations that give a right answer in some
    variant) are appended to `notes` when it is given.
    """
    problems = _rule_problems(q)
    if problems:
        return problems
    has_code = any(part.kind == "code" for part in q.parts)
    if not q.samples and not has_code:
        problems.append(f"bank/{q.slug}/samples.toml: no samples; add answer sets to check")
    labels = [None, *range(seeds)] if q.paper_params is not None else list(range(seeds))
    try:
        variants = build_variants(q, labels)
    except BankError as exc:
        return [*problems, str(exc)]
    seen_params: dict[str, int] = {}
    repeats: list[str] = []
    for seed, variant in zip(labels, variants, strict=True):
        name = "paper variant" if seed is None else f"seed {seed}"
        problems += _reference_problems(q, variant, name)
        problems += _formula_reference_problems(q, variant, name)
        problems += repeated_option_problems(q, variant, name)
        problems += missing_option_problems(q, variant, name)
        if seed is None:
            continue
        problems += _degenerate_problems(q, variant, name)
        key = json.dumps(variant.params, sort_keys=True)
        if key in seen_params:
            repeats.append(f"seed {seed} repeats seed {seen_params[key]}")
        seen_params.setdefault(key, seed)
    if len(repeats) > MAX_REPEATED_VARIANTS * seeds:
        problems.append(
            f"bank/{q.slug}/question.py: too many identical variants ({'; '.join(repeats)}); "
            "generate(rng) must draw from a wider range"
        )
    named_variants = [
        ("the paper variant" if s is None else f"seed {s}", v)
        for s, v in zip(labels, variants, strict=True)
    ]
    perturbation_problems, perturbation_notes = perturbation_findings(q, named_variants)
    problems += perturbation_problems
    if notes is not None:
        notes += perturbation_notes
    problems += _sample_problems(q)
    if has_code:
        named = [
            ("paper variant" if s is None else f"seed {s}", v.params)
            for s, v in zip(labels, variants, strict=True)
        ]
        problems += code_part_problems(q, named)
    return problems


def _rule_problems(q: QuestionDefinition) -> list[str]:
    return [
        f"bank/{q.slug}/question.toml: part '{part.label}': rule: {problem}"
        for part in q.parts
        for problem in grader.validate_rule(part.kind, part.rule)
    ]


def reference_answers(q: QuestionDefinition, variant: VariantBuild) -> dict[str, str]:
    """The exact reference of every auto-marked part, rounded to its precision and typed out."""
    answers: dict[str, str] = {}
    for part in q.parts:
        if not part.auto_marked:
            continue
        value = variant.reference.exact[part.quantity]
        dp = grader.rounding_decimals(part.spec())
        if dp is not None and not isinstance(value, str):
            answers[part.label] = answer_text(_rounded(value, dp), dp)
        else:
            answers[part.label] = _typed_reference(value, part.rule)
    return answers


def _typed_reference(value: Any, rule: dict[str, Any]) -> str:
    """The value as text, to the significant figures the rule asks for (if any)."""
    tolerance = rule.get("tolerance")
    figures = tolerance.get("sf") if isinstance(tolerance, dict) else None
    if isinstance(rule.get("written_sf"), int):
        figures = rule["written_sf"]
    if isinstance(value, str):
        return value
    if isinstance(figures, int):
        return _significant_text(value, figures)
    return answer_text(value, None)


def _significant_text(value: Any, figures: int) -> str:
    """A number (or nested list) written with exactly ``figures`` significant figures."""
    if isinstance(value, list):
        return "[" + ", ".join(_significant_text(item, figures) for item in value) + "]"
    return f"{float(value):#.{figures}g}".rstrip(".")


def _rounded(value: Any, dp: int) -> Any:
    if isinstance(value, list):
        return [_rounded(item, dp) for item in value]
    return round_half_away(value, dp)


def _reference_problems(q: QuestionDefinition, variant: VariantBuild, name: str) -> list[str]:
    specs = [part.spec() for part in q.parts if part.auto_marked]
    if not specs:
        return []
    answers = reference_answers(q, variant)
    result = grader.mark_question(specs, variant.reference, answers)
    return [
        f"bank/{q.slug}: {name}: part '{label}': the rounded reference {answers[label]!r} "
        f"gets {part.status} ({part.score:g}/{part.max_score:g}) under its own rule: "
        f"{part.feedback}"
        for label, part in result.parts.items()
        if part.score < part.max_score
    ]


def _formula_reference_problems(
    q: QuestionDefinition, variant: VariantBuild, name: str
) -> list[str]:
    problems = []
    for part in q.parts:
        value = variant.reference.exact.get(part.quantity)
        if part.kind != "formula" or not isinstance(value, str):
            continue
        problem = reference_formula_problem(part.spec(), value)
        if problem is not None:
            problems.append(f"bank/{q.slug}/question.py: {name}: part '{part.label}': {problem}")
    return problems


def _degenerate_problems(q: QuestionDefinition, variant: VariantBuild, name: str) -> list[str]:
    problems = []
    for part in q.parts:
        value = variant.reference.exact.get(part.quantity)
        if part.auto_marked and _all_zero(value, grader.rounding_decimals(part.spec())):
            problems.append(
                f"bank/{q.slug}/question.py: {name}: part '{part.label}' has an all-zero answer "
                "at its precision; constrain generate(rng) so every part is informative"
            )
    return problems


def _all_zero(value: Any, dp: int | None) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_all_zero(item, dp) for item in value)
    if isinstance(value, bool | str) or value is None:
        return False
    if dp is None:
        return float(value) == 0.0
    return math.isclose(float(value), 0.0, abs_tol=0.5 * 10.0 ** (-dp))


def _sample_problems(q: QuestionDefinition) -> list[str]:
    problems: list[str] = []
    for sample in q.samples:
        try:
            result = mark_sample(q, sample)
        except BankError as exc:
            problems.append(f"bank/{q.slug}/samples.toml: sample '{sample.name}': {exc}")
            continue
        for label, expected in sample.expect.items():
            got = result.parts[label]
            if got.status != expected:
                problems.append(
                    f"bank/{q.slug}/samples.toml: sample '{sample.name}': part '{label}' "
                    f"expected {expected} but got {got.status} ({got.feedback})"
                )
    return problems


def mark_sample(q: QuestionDefinition, sample: Sample) -> grader.QuestionResult:
    """Mark a sample's answers on its variant the way a submission is marked."""
    variant = build_variants(q, [None if sample.paper else sample.seed])[0]
    specs = q.part_specs()
    parsed = grader.parse_answers(specs, sample.answers)
    carried = carried_forward_values(q, variant.params, parsed) if parsed else None
    reference = grader.Reference(
        exact=variant.reference.exact,
        rounded=variant.reference.rounded,
        carried_forward=carried,
        alternatives=variant.reference.alternatives,
    )
    return grader.mark_question(specs, reference, sample.answers)

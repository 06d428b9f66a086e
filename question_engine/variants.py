"""Building a question's variants: reference values from the sandbox, text from the templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grader
from grader.rules import referenced_quantities
from question_engine.definition import QuestionDefinition
from question_engine.errors import BankError
from question_engine.jobs.question import to_plain
from question_engine.precision import decimals_by_quantity
from question_engine.question_runs import run_harness
from question_engine.render import render_template


@dataclass(frozen=True)
class VariantBuild:
    """One variant: its params, reference answers, all solver quantities and rendered texts."""

    params: dict[str, Any]
    reference: grader.Reference
    quantities: dict[str, Any]
    rounded_quantities: dict[str, Any]
    statement_md: str
    part_prompts: dict[str, str]
    solution_md: str


def build_variant(
    q: QuestionDefinition, *, seed: int | None = None, paper: bool = False
) -> VariantBuild:
    """The variant for `seed` (or the original exam's when `paper`), computed in the sandbox."""
    if paper == (seed is not None):
        raise ValueError("build_variant needs exactly one of seed=<int> or paper=True")
    return build_variants(q, [None] if paper else [seed])[0]


def build_variants(q: QuestionDefinition, seeds: Sequence[int | None]) -> list[VariantBuild]:
    """Variants for several seeds (None = the paper variant) in a single sandbox job."""
    if None in seeds and q.paper_params is None:
        raise BankError(f"bank/{q.slug}/question.toml: there is no [paper] table to build from")
    decimals = decimals_by_quantity(q)
    calls = [
        ("harness_build", (q.code, seed, q.paper_params if seed is None else None, decimals))
        for seed in seeds
    ]
    return [_variant_from_output(q, output) for output in run_harness(q.slug, calls)]


def carried_forward_values(
    q: QuestionDefinition, params: Mapping[str, Any], answers_by_quantity: Mapping[str, Any]
) -> dict[str, Any]:
    """Every quantity recomputed from the student's own earlier answers (one sandbox job)."""
    answers = {name: to_plain(value) for name, value in answers_by_quantity.items()}
    call = ("harness_carried_forward", (q.code, to_plain(dict(params)), answers))
    return dict(run_harness(q.slug, [call])[0]["quantities"])


def _variant_from_output(q: QuestionDefinition, output: Mapping[str, Any]) -> VariantBuild:
    params = dict(output["params"])
    exact = dict(output["exact"])
    rounded = dict(output["rounded"])
    for part in q.parts:
        if part.auto_marked and part.quantity not in exact:
            raise BankError(
                f"bank/{q.slug}/question.py: solve() never reports {part.quantity!r}, "
                f"which part '{part.label}' asks for"
            )
    asked = {part.quantity for part in q.parts if part.auto_marked}
    asked |= {
        name for part in q.parts for name in referenced_quantities(part.rule) if name in exact
    }
    reference = grader.Reference(
        exact={name: exact[name] for name in asked},
        rounded={name: rounded[name] for name in asked if name in rounded},
    )
    base = {**params, "p": params}
    solution_context = {**base, "q": exact, "rounded": rounded}
    return VariantBuild(
        params=params,
        reference=reference,
        quantities=exact,
        rounded_quantities=rounded,
        statement_md=render_template(q.statement_template, base, f"bank/{q.slug}/statement.md"),
        part_prompts={
            part.label: render_template(
                part.prompt, base, f"bank/{q.slug}/question.toml: part '{part.label}' prompt"
            )
            for part in q.parts
        },
        solution_md=render_template(
            q.solution_template, solution_context, f"bank/{q.slug}/solution.md"
        ),
    )

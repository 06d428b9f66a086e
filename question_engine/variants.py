"""Building a question's variants: reference values from the sandbox, text from the templates."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import grader
from grader.rules import referenced_quantities
from question_engine.alternatives import PerturbationReport, perturb_request, perturbation_report
from question_engine.definition import QuestionDefinition
from question_engine.errors import BankError, QuestionRunError
from question_engine.jobs.question import to_plain
from question_engine.precision import decimals_by_quantity
from question_engine.question_runs import run_harness
from question_engine.render import render_template

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VariantBuild:
    """One variant: its params, reference answers, all solver quantities and rendered texts.

    Built with perturbations, `reference.alternatives` holds the named wrong values of its
    asked quantities and `perturbations` what else the perturbed runs found; without, the
    reference has no alternatives and `perturbations` is None.
    """

    params: dict[str, Any]
    reference: grader.Reference
    quantities: dict[str, Any]
    rounded_quantities: dict[str, Any]
    statement_md: str
    part_prompts: dict[str, str]
    solution_md: str
    perturbations: PerturbationReport | None = None


def build_variant(
    q: QuestionDefinition,
    *,
    seed: int | None = None,
    paper: bool = False,
    perturbations: bool = True,
) -> VariantBuild:
    """The variant for `seed` (or the original exam's when `paper`), computed in the sandbox
    (with its perturbed runs unless `perturbations` is False)."""
    if paper == (seed is not None):
        raise ValueError("build_variant needs exactly one of seed=<int> or paper=True")
    return build_variants(q, [None] if paper else [seed], perturbations=perturbations)[0]


def build_variants(
    q: QuestionDefinition, seeds: Sequence[int | None], *, perturbations: bool = True
) -> list[VariantBuild]:
    """Variants for several seeds (None = the paper variant) in a single sandbox job, each
    with the alternatives of its perturbed runs unless `perturbations` is False."""
    if None in seeds and q.paper_params is None:
        raise BankError(f"bank/{q.slug}/question.toml: there is no [paper] table to build from")
    decimals = decimals_by_quantity(q)
    perturb = perturb_request(q) if perturbations else None
    calls = [
        (
            "harness_build",
            (q.code, seed, q.paper_params if seed is None else None, decimals, perturb),
        )
        for seed in seeds
    ]
    outputs = run_harness(q.slug, calls, perturbed=perturbations)
    return [_variant_from_output(q, output) for output in outputs]


def carried_forward_values(
    q: QuestionDefinition, params: Mapping[str, Any], answers_by_quantity: Mapping[str, Any]
) -> dict[str, Any]:
    """Every quantity recomputed from the student's own earlier answers (one sandbox job)."""
    return marking_values(q, params, answers_by_quantity)[0] or {}


def marking_values(
    q: QuestionDefinition,
    params: Mapping[str, Any],
    answers_by_quantity: Mapping[str, Any],
    stored_without_alternatives: grader.Reference | None = None,
    *,
    carried_forward: bool = True,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What marking needs from the solver, in one sandbox job: every quantity recomputed from
    the student's own earlier answers (None without `carried_forward`: no answer feeds
    another answered part, see `question_engine.feeds`), and, for a variant stored without
    alternatives (built before perturbed runs existed; its reference given as
    `stored_without_alternatives`), the alternatives its perturbed runs give (else None).
    Asked for neither, it runs no job.

    The variant's own solve has already succeeded, so when the solve with the student's
    answers fails (it raises: only the quantities recorded before are kept; or the job ends
    in a timeout, memory or output limit: none is kept), the fault is the answers': the
    answer is marked without the carried-forward path, and nothing is raised. Raises
    `SandboxFailure` when the sandbox fails, and `QuestionRunError` when the perturbed runs
    fail.
    """
    if not carried_forward:
        if stored_without_alternatives is None:
            return None, None
        return None, _stored_without(q, params, stored_without_alternatives)
    answers = {name: to_plain(value) for name, value in answers_by_quantity.items()}
    plain_params = to_plain(dict(params))
    calls = [("harness_carried_forward", (q.code, plain_params, answers))]
    if stored_without_alternatives is not None:
        request = perturb_request(q)
        calls.append(
            ("harness_perturbations", (q.code, plain_params, decimals_by_quantity(q), request))
        )
    perturbed = stored_without_alternatives is not None
    try:
        outputs = run_harness(q.slug, calls, perturbed=perturbed)
    except QuestionRunError as exc:
        logger.info(
            "bank/%s: the solve with the student's answers failed, so nothing is carried "
            "forward: %s",
            q.slug,
            exc,
        )
        outputs = [{"quantities": {}}]
        if perturbed:
            outputs += run_harness(q.slug, calls[1:], perturbed=True)
    if "failed" in outputs[0]:
        logger.info(
            "bank/%s: solve() failed with the student's answers, so what it had not yet "
            "reported is not carried forward: %s",
            q.slug,
            outputs[0]["failed"],
        )
    carried = dict(outputs[0]["quantities"])
    if stored_without_alternatives is None:
        return carried, None
    report = perturbation_report(q, stored_without_alternatives, outputs[1])
    return carried, dict(report.alternatives)


def _stored_without(
    q: QuestionDefinition, params: Mapping[str, Any], reference: grader.Reference
) -> dict[str, Any]:
    """The alternatives of a variant stored without them (one sandbox job)."""
    request = perturb_request(q)
    call = (
        "harness_perturbations",
        (q.code, to_plain(dict(params)), decimals_by_quantity(q), request),
    )
    (found,) = run_harness(q.slug, [call], perturbed=True)
    return dict(perturbation_report(q, reference, found).alternatives)


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
    report = None
    if "perturbations" in output:
        report = perturbation_report(q, reference, output["perturbations"])
        reference = replace(reference, alternatives=report.alternatives)
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
        perturbations=report,
    )

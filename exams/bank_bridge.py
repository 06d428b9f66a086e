"""Converts between stored question versions and the bank library's plain definitions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import question_engine
from artefacts.services import author_arrays_store
from exams.models import QuestionVersion

logger = logging.getLogger(__name__)


def definition_from_version(version: QuestionVersion) -> question_engine.QuestionDefinition:
    """The question exactly as it was when this version was stored."""
    question = version.question
    return question_engine.QuestionDefinition(
        slug=question.slug,
        path=Path("bank") / question.slug,
        title=question.title,
        topic=question.topic,
        tags=list(question.tags),
        source=question.source,
        notes=version.notes,
        parts=[
            question_engine.PartDefinition(
                label=part.label,
                source_part=part.source_part,
                marks=float(part.marks),
                kind=part.kind,
                prompt=part.prompt,
                quantity=part.quantity or part.label,
                rule=part.rule,
                model_answer=part.model_answer,
                rubric=part.rubric,
                self_assessment=part.self_assessment,
            )
            for part in version.parts.all()
        ],
        statement_template=version.statement_template,
        solution_template=version.solution_template,
        code=version.code,
        paper_params=version.paper_params,
        samples=[],
        content_hash=version.content_hash,
        perturbations=question_engine.PerturbationSettings.from_dict(version.perturbations),
        quantity_feeds=version.quantity_feeds,
    )


def build_variant_data(
    *, version: QuestionVersion, seed: int | None, paper: bool
) -> dict[str, Any]:
    """Variant fields built by running the version's generate/solve in the sandbox, with the
    author runs of its code parts (`author_runs`, plain JSON per part label; server-side only),
    whose arrays are stored here (`artefacts.AuthorArray`, once per content).

    When the author runs fail (the sandbox is busy or down, or the author code ran past its
    budget) the variant is still built, without them: its first marking or visible-tests run
    computes and stores them (`exams.services.variant_artefacts`), and reports a fault of the
    question there as marking always has. Raises BankError (QuestionRunError) when the
    question's generate/solve fails, SandboxFailure when the sandbox does.
    """
    definition = definition_from_version(version)
    build = question_engine.build_variant(definition, seed=seed, paper=paper)
    try:
        authors = question_engine.variant_author_runs(definition, build.params)
    except question_engine.BankError as exc:
        logger.warning(
            "%s (seed=%s, paper=%s): stored without author runs, computed at first use: %s",
            version,
            seed,
            paper,
            exc,
        )
        authors = question_engine.StoredAuthorRuns(runs={}, arrays={})
    author_arrays_store(arrays=authors.arrays)
    return {
        "params": build.params,
        "reference": {
            "exact": dict(build.reference.exact),
            "rounded": dict(build.reference.rounded or {}),
            "alternatives": dict(build.reference.alternatives or {}),
        },
        "statement_md": build.statement_md,
        "part_prompts": dict(build.part_prompts),
        "solution_md": build.solution_md,
        "author_runs": authors.runs,
    }

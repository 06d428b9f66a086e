"""The one marking path shared by the Celery worker and `manage.py grade`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import grader
import question_engine

ARRAY_KINDS = frozenset({"vector", "matrix", "tensor"})


def parts_with_expected_shapes(
    parts: Sequence[grader.PartSpec], exact: Mapping[str, Any]
) -> list[grader.PartSpec]:
    """Array parts told their variant's shape, so a wrong shape is caught before storing."""
    shaped = []
    for part in parts:
        if part.kind in ARRAY_KINDS and "shape" not in part.rule and part.quantity_name in exact:
            rule = {**part.rule, "shape": list(np.shape(exact[part.quantity_name]))}
            part = dataclasses.replace(part, rule=rule)
        shaped.append(part)
    return shaped


def variant_answers_mark(
    *,
    definition: question_engine.QuestionDefinition,
    params: Mapping[str, Any],
    reference: Mapping[str, Any],
    answers: Mapping[str, str],
) -> grader.QuestionResult:
    """Mark raw answers against a variant's reference, crediting errors carried forward.

    Code parts run their tests in the sandbox (`question_engine.mark_code_part`); the answer
    is the source.
    """
    parts = definition.part_specs()
    parsed = grader.parse_answers(parts, answers)
    carried = question_engine.carried_forward_values(definition, params, parsed) if parsed else None
    marked = grader.mark_question(
        parts,
        grader.Reference(
            exact=reference["exact"],
            rounded=reference.get("rounded"),
            carried_forward=carried,
        ),
        answers,
    )
    code = {
        part.label: question_engine.mark_code_part(
            definition, part.label, params, answers.get(part.label, "")
        )
        for part in parts
        if part.kind == "code"
    }
    if not code:
        return marked
    merged = {**marked.parts, **code}
    return grader.QuestionResult(
        parts={p.label: merged[p.label] for p in parts if p.label in merged}
    )

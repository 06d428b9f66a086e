"""The one marking path shared by the Celery worker and `manage.py grade`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

import grader
import question_engine
from question_engine.alternatives import NUMERIC_KINDS
from question_engine.feeds import carried_forward_needed

ARRAY_KINDS = frozenset({"vector", "matrix", "tensor"})


def answers_shaped_like_reference(
    parts: Sequence[grader.PartSpec], parsed: Mapping[str, Any], exact: Mapping[str, Any]
) -> dict[str, Any]:
    """Parsed answers to carry forward, each array reshaped to its reference's shape.

    The format check never compares shapes (that would reveal the answer), so an array answer
    may have another shape than the reference: it is left out here (its part scores 0 in
    marking) rather than fed to the solver.
    """
    kinds = {part.quantity_name: part.kind for part in parts}
    shaped = {}
    for name, value in parsed.items():
        if kinds.get(name) not in ARRAY_KINDS or name not in exact:
            shaped[name] = value
            continue
        expected = np.shape(exact[name])
        if grader.shapes_fit(kinds[name], np.shape(value), expected):
            shaped[name] = np.reshape(value, expected).tolist()
    return shaped


def variant_answers_mark(
    *,
    definition: question_engine.QuestionDefinition,
    params: Mapping[str, Any],
    reference: Mapping[str, Any],
    answers: Mapping[str, str],
    author_runs: Mapping[str, question_engine.AuthorRuns] | None = None,
    alternatives_found: Callable[[dict[str, Any]], None] | None = None,
) -> grader.QuestionResult:
    """Mark raw answers against a variant's reference, crediting errors carried forward and
    naming the mistakes of the solver's perturbed runs (the reference's ``alternatives``).

    Numeric parts run at most one sandbox job: the carried-forward values, only when an
    answered quantity feeds another answered part that does not already have full marks
    without them (`definition.quantity_feeds`; unknown feeds count as yes), together with
    the perturbed runs of a variant stored without alternatives; those are handed to
    `alternatives_found` (to be stored with the variant) and used. Nothing to carry forward
    and alternatives stored: no job at all.

    Code parts run their tests in the sandbox (`question_engine.mark_code_part`), against
    `author_runs` (the variant's stored author runs, by part label) when given, so only the
    submission's test jobs run; the answer is the source. An empty answer of any part is
    `unanswered` (0, "Not answered."): an empty code part is never sent to the sandbox.
    """
    parts = definition.part_specs()
    parsed = answers_shaped_like_reference(
        parts, grader.parse_answers(parts, answers), reference["exact"]
    )
    carried, alternatives = None, reference.get("alternatives")

    def marked_with(carried_values: Mapping[str, Any] | None) -> grader.QuestionResult:
        return grader.mark_question(
            parts,
            grader.Reference(
                exact=reference["exact"],
                rounded=reference.get("rounded"),
                carried_forward=carried_values,
                alternatives=alternatives,
            ),
            answers,
        )

    marked = None
    if parsed:
        numeric = [
            part
            for part in parts
            if part.kind in NUMERIC_KINDS and not grader.is_unanswered(answers.get(part.label))
        ]
        if alternatives is not None and definition.quantity_feeds is not None:
            # A part with full marks already cannot gain from a carried-forward path.
            marked = marked_with(None)
            numeric = [
                part
                for part in numeric
                if marked.parts[part.label].score < marked.parts[part.label].max_score
            ]
        needed = carried_forward_needed(
            definition.quantity_feeds, parsed.keys(), {p.quantity_name for p in numeric}
        )
        if needed or alternatives is None:
            stored_without = None
            if alternatives is None:
                stored_without = grader.Reference(
                    exact=reference["exact"], rounded=reference.get("rounded")
                )
            carried, computed = question_engine.marking_values(
                definition, params, parsed, stored_without, carried_forward=needed
            )
            if alternatives is None and computed is not None:
                alternatives = computed
                if alternatives_found is not None:
                    alternatives_found(computed)
            marked = None
    if marked is None:
        marked = marked_with(carried)
    code = {
        part.label: grader.unanswered_result(part)
        if grader.is_unanswered(answers.get(part.label))
        else question_engine.mark_code_part(
            definition,
            part.label,
            params,
            answers.get(part.label, ""),
            (author_runs or {}).get(part.label),
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

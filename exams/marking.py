"""The one marking path shared by the Celery worker and `manage.py grade`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import bank
import grader


def variant_answers_mark(
    *,
    definition: bank.QuestionDefinition,
    params: Mapping[str, Any],
    reference: Mapping[str, Any],
    answers: Mapping[str, str],
) -> grader.QuestionResult:
    """Mark raw answers against a variant's reference, crediting errors carried forward."""
    parts = definition.part_specs()
    parsed = grader.parse_answers(parts, answers)
    carried = bank.carried_forward_values(definition, params, parsed) if parsed else None
    return grader.mark_question(
        parts,
        grader.Reference(
            exact=reference["exact"],
            rounded=reference.get("rounded"),
            carried_forward=carried,
        ),
        answers,
    )

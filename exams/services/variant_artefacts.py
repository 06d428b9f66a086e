"""What marking needs from a variant besides its reference, stored once on the variant.

A variant built now carries its author runs (`Variant.author_runs`) and its named
alternatives (`reference["alternatives"]`). A variant stored before either existed gets them
at its first use, computed once and saved on the variant (not per process), so later
markings on any worker reuse them. Two workers racing store one copy: the row is locked while
written and what another stored first is kept (the content is the same: the author code is
deterministic on a variant).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

import question_engine
from artefacts.selectors import author_arrays_get
from artefacts.services import author_arrays_store
from exams.bank_bridge import definition_from_version
from exams.models import Variant

logger = logging.getLogger(__name__)


def _readable(stored: Any) -> dict[str, question_engine.AuthorRuns]:
    """The stored runs that can be read back (their arrays fetched in one query), by label."""
    stored = stored or {}
    arrays = author_arrays_get(hashes=question_engine.array_hashes(stored))
    runs: dict[str, question_engine.AuthorRuns] = {}
    for label, data in stored.items():
        try:
            runs[label] = question_engine.author_runs_from_plain(data, arrays)
        except question_engine.StoredRunsError as exc:
            logger.warning("Stored author runs of part %s are unreadable: %s", label, exc)
    return runs


def variant_author_runs_ensure(*, variant: Variant) -> dict[str, question_engine.AuthorRuns]:
    """The variant's author runs by code part label, computing and saving any missing.

    Returns {} for a question without code parts (no job, no query of arrays). Raises
    QuestionRunError when the author code fails and SandboxFailure when the sandbox does
    (nothing is saved then).
    """
    labels = {part.label for part in variant.version.parts.all() if part.kind == "code"}
    if not labels:
        return {}
    runs = _readable(variant.author_runs)
    if labels <= runs.keys():
        return runs
    definition = definition_from_version(variant.version)
    computed = question_engine.variant_author_runs(definition, variant.params)
    author_arrays_store(arrays=computed.arrays)
    with transaction.atomic():
        row = Variant.objects.select_for_update().only("author_runs").get(pk=variant.pk)
        kept = _readable(row.author_runs).keys()
        stored = {
            **computed.runs,
            **{label: data for label, data in (row.author_runs or {}).items() if label in kept},
        }
        if stored != row.author_runs:
            Variant.objects.filter(pk=variant.pk).update(author_runs=stored)
    variant.author_runs = stored
    logger.info("Stored the author runs of %s (parts %s)", variant, ", ".join(sorted(labels)))
    return _readable(stored)


def variant_alternatives_store(*, variant: Variant, alternatives: dict[str, Any]) -> None:
    """Save the named alternatives computed for a variant stored without them, once: a
    variant that has them meanwhile keeps its own."""
    with transaction.atomic():
        row = Variant.objects.select_for_update().only("reference").get(pk=variant.pk)
        if row.reference.get("alternatives") is not None:
            variant.reference = row.reference
            return
        reference = {**row.reference, "alternatives": alternatives}
        Variant.objects.filter(pk=variant.pk).update(reference=reference)
    variant.reference = reference
    logger.info("Stored the named alternatives of %s", variant)

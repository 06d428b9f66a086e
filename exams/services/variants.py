"""Variants: building and storing them, choosing one for an attempt, retiring them."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

import question_engine
from exams.bank_bridge import build_variant_data
from exams.errors import ApplicationError
from exams.models import (
    Attempt,
    Course,
    Question,
    QuestionVersion,
    Variant,
    VariantAssignment,
)
from exams.seeding import variant_seed

logger = logging.getLogger(__name__)


def question_current_version(*, question: Question) -> QuestionVersion:
    version = question.current_version
    if version is None:
        raise ApplicationError(
            f"Question '{question.slug}' has no content yet; run `python manage.py bank sync`.",
            code="question_not_synced",
            status=409,
        )
    return version


def variant_get_or_build(
    *, course: Course, version: QuestionVersion, seed: int | None = None, paper: bool = False
) -> Variant:
    """The course's stored variant for (version, seed) or its paper variant, built once.

    Built in the sandbox the first time. Raises ApplicationError (503) when the sandbox or
    the question's code fails, so nothing half-built is stored.
    """
    if paper == (seed is not None):
        raise ValueError("Give exactly one of seed or paper=True.")
    lookup: dict[str, Any] = {"course": course, "version": version, "is_paper": paper, "seed": seed}
    existing = Variant.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        data = build_variant_data(version=version, seed=seed, paper=paper)
    except question_engine.BankError as exc:
        logger.error("Building %s (seed=%s, paper=%s) failed: %s", version, seed, paper, exc)
        raise ApplicationError(
            "This question could not be prepared right now; please try again in a minute. "
            "If it keeps failing, tell your instructor.",
            code="variant_unavailable",
            status=503,
        ) from exc
    try:
        with transaction.atomic():
            return Variant.objects.create(**lookup, **data)
    except IntegrityError:
        return Variant.objects.get(**lookup)


MAX_RETIRED_SKIPS = 20


def attempt_variant(*, attempt: Attempt, question: Question | None = None) -> Variant:
    """The variant a student has for a question within an attempt (drawn once, then kept).

    The first call draws it, seeded by the attempt's identity (so an exam sitting and a
    practice attempt never share a variant) and skipping retired variants; papers that use
    the original exam's numbers give everyone the course's paper variant. Later calls return
    the stored assignment; once the student has answered it, it stays even if retired.
    """
    question = _attempt_question(attempt=attempt, question=question)
    assignment = VariantAssignment.objects.filter(attempt=attempt, question=question).first()
    if assignment is not None and not _replaceable(assignment):
        return assignment.variant
    variant = _variant_draw(attempt=attempt, question=question)
    if assignment is not None:
        assignment.variant = variant
        assignment.save(update_fields=["variant"])
        return variant
    assignment, _ = VariantAssignment.objects.get_or_create(
        attempt=attempt, question=question, defaults={"variant": variant}
    )
    return assignment.variant


def _replaceable(assignment: VariantAssignment) -> bool:
    """A retired variant the student has not answered yet is swapped for a fresh one."""
    return (
        assignment.variant.retired
        and not assignment.attempt.submissions.filter(variant=assignment.variant).exists()
    )


def _variant_draw(*, attempt: Attempt, question: Question) -> Variant:
    version = question_current_version(question=question)
    if attempt.paper is not None and attempt.paper.use_original_numbers:
        return variant_get_or_build(course=attempt.course, version=version, paper=True)
    for draw in range(MAX_RETIRED_SKIPS):
        seed = variant_seed(attempt_id=attempt.pk, question_slug=question.slug, draw=draw)
        variant = variant_get_or_build(course=attempt.course, version=version, seed=seed)
        if not variant.retired:
            return variant
    raise ApplicationError(
        f"Every variant drawn for '{question.slug}' has been retired; ask your instructor.",
        code="variants_retired",
        status=409,
    )


def _attempt_question(*, attempt: Attempt, question: Question | None) -> Question:
    if attempt.question is not None:
        if question is not None and question.pk != attempt.question_id:
            raise ApplicationError(
                f"This attempt is on '{attempt.question.slug}', not '{question.slug}'."
            )
        return attempt.question
    if question is None:
        raise ApplicationError(
            "Name the question of the paper you are answering.", code="question_required"
        )
    if not attempt.paper.items.filter(question=question).exists():
        raise ApplicationError(
            f"The paper '{attempt.paper.title}' has no question '{question.slug}'.",
            code="not_in_paper",
        )
    return question


def variant_retire(*, variant: Variant) -> Variant:
    """Withdraw a bad variant: new draws skip it; attempts that hold it keep it."""
    if not variant.retired:
        variant.retired = True
        variant.retired_at = timezone.now()
        variant.save(update_fields=["retired", "retired_at"])
    return variant

"""Importing bank question folders into the database, versioned."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

import question_engine
from exams.models import Part, Question, QuestionVersion, Submission
from question_engine.feeds import quantity_feeds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOutcome:
    slug: str
    version: int
    action: str  # "created", "unchanged", "updated", "new_version"
    feeds_problem: str = ""
    """Why the quantities feeding later parts could not be recorded (marking then runs the
    carried-forward job for every answer, as it must without them); "" when recorded."""


def _feeds(
    definition: question_engine.QuestionDefinition,
) -> tuple[dict[str, list[str]] | None, str]:
    """The question's quantity feeds (one sandbox job), or None and why not."""
    try:
        return quantity_feeds(definition), ""
    except question_engine.BankError as exc:
        logger.warning("bank/%s: quantity feeds not recorded: %s", definition.slug, exc)
        return None, str(exc)


def _write_version_content(
    version: QuestionVersion,
    definition: question_engine.QuestionDefinition,
    feeds: dict[str, list[str]] | None,
) -> None:
    version.quantity_feeds = feeds
    version.content_hash = definition.content_hash
    version.notes = definition.notes
    version.statement_template = definition.statement_template
    version.solution_template = definition.solution_template
    version.code = definition.code
    version.paper_params = definition.paper_params
    version.perturbations = definition.perturbations.as_dict()
    version.save()
    version.parts.all().delete()
    display_names = question_engine.part_display_names(
        (part.label, part.source_part) for part in definition.parts
    )
    Part.objects.bulk_create(
        Part(
            version=version,
            order=index,
            label=part.label,
            source_part=part.source_part,
            display_name=display_names[part.label],
            marks=Decimal(str(part.marks)),
            kind=part.kind,
            prompt=part.prompt,
            quantity=part.quantity,
            rule=part.rule,
            model_answer=part.model_answer,
            rubric=part.rubric,
            self_assessment=part.self_assessment,
        )
        for index, part in enumerate(definition.parts)
    )


def question_sync(*, definition: question_engine.QuestionDefinition) -> SyncOutcome:
    """Store a question folder; an attempted question changes only by gaining a new version.

    Records which asked quantities feed later parts (`question_engine.feeds`, one sandbox job
    run before the database transaction) for new content and for stored versions still
    without them; when that job fails the version is stored without them and the outcome's
    `feeds_problem` says why (a later sync records them).
    """
    current = (
        QuestionVersion.objects.filter(question__slug=definition.slug).order_by("-number").first()
    )
    known = current is not None and current.quantity_feeds is not None
    if known and current.content_hash == definition.content_hash:
        return _question_store(definition=definition, feeds=current.quantity_feeds)
    feeds, problem = _feeds(definition)
    outcome = _question_store(definition=definition, feeds=feeds)
    return SyncOutcome(outcome.slug, outcome.version, outcome.action, problem)


@transaction.atomic
def _question_store(
    *, definition: question_engine.QuestionDefinition, feeds: dict[str, list[str]] | None
) -> SyncOutcome:
    question, created = Question.objects.select_for_update().get_or_create(
        slug=definition.slug,
        defaults={"title": definition.title},
    )
    question.title = definition.title
    question.topic = definition.topic
    question.tags = list(definition.tags)
    question.source = definition.source
    question.save()

    current = question.versions.order_by("-number").first()
    if current is not None and current.content_hash == definition.content_hash:
        if current.quantity_feeds is None and feeds is not None:
            current.quantity_feeds = feeds
            current.save(update_fields=["quantity_feeds"])
        return SyncOutcome(definition.slug, current.number, "unchanged")
    if current is not None and not Submission.objects.filter(variant__version=current).exists():
        current.variants.all().delete()
        _write_version_content(current, definition, feeds)
        return SyncOutcome(definition.slug, current.number, "updated")
    number = current.number + 1 if current else 1
    version = QuestionVersion(question=question, number=number)
    _write_version_content(version, definition, feeds)
    return SyncOutcome(definition.slug, number, "created" if created else "new_version")

"""Importing bank question folders into the database, versioned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

import question_engine
from exams.models import Part, Question, QuestionVersion, Submission


@dataclass(frozen=True)
class SyncOutcome:
    slug: str
    version: int
    action: str  # "created", "unchanged", "updated", "new_version"


def _write_version_content(
    version: QuestionVersion, definition: question_engine.QuestionDefinition
) -> None:
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


@transaction.atomic
def question_sync(*, definition: question_engine.QuestionDefinition) -> SyncOutcome:
    """Store a question folder; an attempted question changes only by gaining a new version."""
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
        return SyncOutcome(definition.slug, current.number, "unchanged")
    if current is not None and not Submission.objects.filter(variant__version=current).exists():
        current.variants.all().delete()
        _write_version_content(current, definition)
        return SyncOutcome(definition.slug, current.number, "updated")
    number = current.number + 1 if current else 1
    version = QuestionVersion(question=question, number=number)
    _write_version_content(version, definition)
    return SyncOutcome(definition.slug, number, "created" if created else "new_version")

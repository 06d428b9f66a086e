"""Papers: assembling them from questions."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from exams.errors import ApplicationError
from exams.models import (
    Course,
    Paper,
    PaperQuestion,
    Question,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def paper_create(
    *,
    course: Course,
    title: str,
    time_limit_minutes: int | None,
    use_original_numbers: bool,
    items: list[tuple[Question, Decimal]],
) -> Paper:
    """Assemble a paper from ordered (question, marks) pairs."""
    if not title.strip():
        raise ApplicationError("Give the paper a title.", code="invalid_paper")
    if not items:
        raise ApplicationError("Choose at least one question for the paper.", code="invalid_paper")
    if any(marks <= 0 for _, marks in items):
        raise ApplicationError("Every question needs positive marks.", code="invalid_paper")
    if time_limit_minutes is not None and time_limit_minutes <= 0:
        raise ApplicationError("A time limit must be a positive number of minutes.")
    slug = slugify(title)[:90] or "paper"
    base, n = slug, 2
    while course.papers.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    paper = Paper.objects.create(
        course=course,
        slug=slug,
        title=title.strip(),
        time_limit_minutes=time_limit_minutes,
        use_original_numbers=use_original_numbers,
    )
    PaperQuestion.objects.bulk_create(
        PaperQuestion(paper=paper, question=question, order=index, marks=marks)
        for index, (question, marks) in enumerate(items, start=1)
    )
    return paper

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


MAX_TITLE_CHARS = Paper._meta.get_field("title").max_length
MAX_MARKS = Decimal("10000")  # PaperQuestion.marks holds 6 digits, 2 of them decimals
MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60


def _marks_fit(marks: Decimal) -> bool:
    return marks.is_finite() and 0 < marks < MAX_MARKS and marks == marks.quantize(Decimal("0.01"))


@transaction.atomic
def paper_create(
    *,
    course: Course,
    title: str,
    time_limit_minutes: int | None,
    use_original_numbers: bool,
    items: list[tuple[Question, Decimal]],
) -> Paper:
    """Assemble a paper from ordered (question, marks) pairs.

    Raises ApplicationError (400, `invalid_paper`) naming the problem: an empty or too long
    title, no questions, marks that are not a positive number below MAX_MARKS with at most two
    decimals, or a time limit outside 1..MAX_TIME_LIMIT_MINUTES.
    """
    if not title.strip():
        raise ApplicationError("Give the paper a title.", code="invalid_paper")
    if len(title.strip()) > MAX_TITLE_CHARS:
        raise ApplicationError(
            f"A paper title has at most {MAX_TITLE_CHARS} characters.", code="invalid_paper"
        )
    if not items:
        raise ApplicationError("Choose at least one question for the paper.", code="invalid_paper")
    if not all(_marks_fit(marks) for _, marks in items):
        raise ApplicationError(
            f"Every question needs positive marks below {MAX_MARKS}, with at most two "
            "decimals (e.g. 2 or 2.5).",
            code="invalid_paper",
        )
    if time_limit_minutes is not None and not 0 < time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise ApplicationError(
            f"A time limit must be a whole number of minutes from 1 to {MAX_TIME_LIMIT_MINUTES} "
            "(a week).",
            code="invalid_paper",
        )
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

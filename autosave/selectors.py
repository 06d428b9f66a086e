"""Reads of the autosave app: the answers a page shows, format problems of a draft, the
sittings due for closing, and what the exam clock and the finish step show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

import grader
from autosave.models import AnswerDraft, SittingClosure
from exams import selectors as exam_selectors
from exams.bank_bridge import definition_from_version
from exams.models import Attempt, Question, Submission, Variant, VariantAssignment


def draft_format_problems(*, variant: Variant, answers: dict[str, str]) -> dict[str, str]:
    """Label → message for each typed part the grader cannot read yet (as a submission's
    format check says); empty and untyped parts are unanswered, not problems."""
    typed = {label: text for label, text in answers.items() if text.strip()}
    if not typed:
        return {}
    specs = [
        spec
        for spec in definition_from_version(variant.version).part_specs()
        if spec.label in typed
    ]
    return grader.check_format(specs, typed)


def draft_get(*, attempt: Attempt, question: Question) -> AnswerDraft | None:
    """The attempt's saved draft of the question, if any."""
    return AnswerDraft.objects.filter(attempt=attempt, question=question).first()


def answers_to_show(
    *, attempt: Attempt, question: Question, latest: Submission | None
) -> dict[str, str]:
    """The answers an attempt page fills in for a question (label → text): the latest
    submission's answers with each part the draft holds in its place, else none.

    The draft holds what was last typed in each part (the page saves every part before it
    submits), so it wins part by part even over a later submission: a submission of one part
    fills the parts left out from the submission before it, not from what was typed there."""
    submitted = dict(latest.answers) if latest is not None else {}
    draft = draft_get(attempt=attempt, question=question)
    if draft is None:
        return submitted
    return {**submitted, **draft.answers}


def sittings_due_for_closing(*, now: datetime) -> list[int]:
    """Ids of timed exam sittings still open past their deadline plus EXAM_GRACE_SECONDS."""
    grace = timedelta(seconds=settings.EXAM_GRACE_SECONDS)
    candidates = Attempt.objects.filter(
        mode=Attempt.Mode.EXAM,
        finished_at__isnull=True,
        closure__isnull=True,
        paper__time_limit_minutes__isnull=False,
        started_at__lte=now - timedelta(minutes=1) - grace,
    ).select_related("paper")
    return [
        attempt.pk
        for attempt in candidates.order_by("started_at")
        if attempt.answers_close_at is not None and attempt.answers_close_at <= now
    ]


@dataclass(frozen=True)
class UnreadablePart:
    """A saved part the grader cannot read: where it is and why."""

    question_title: str
    display_label: str
    message: str


@dataclass(frozen=True)
class FinishSummary:
    """What finishing a sitting would do: parts in all, parts with no answer, parts whose
    saved answer cannot be read (they would be marked as format errors)."""

    parts: int
    unanswered: int
    unreadable: list[UnreadablePart]


def sitting_finish_summary(*, attempt: Attempt) -> FinishSummary:
    """Count the attempt's parts, those unanswered (no text saved or submitted), and list
    those whose answer cannot be read, over the questions of the attempt."""
    assignments = {
        assignment.question_id: assignment.variant
        for assignment in VariantAssignment.objects.filter(attempt=attempt).select_related(
            "variant__version"
        )
    }
    parts = unanswered = 0
    unreadable: list[UnreadablePart] = []
    for question, _marks in exam_selectors.attempt_questions(attempt=attempt):
        variant = assignments.get(question.pk)
        if variant is None:
            version = question.current_version
            count = version.parts.count() if version else 0
            parts += count
            unanswered += count
            continue
        latest = exam_selectors.latest_submission(attempt=attempt, question=question)
        answers = answers_to_show(attempt=attempt, question=question, latest=latest)
        labels = {part.label: part.display_label for part in variant.version.parts.all()}
        parts += len(labels)
        unanswered += sum(1 for label in labels if not answers.get(label, "").strip())
        problems = draft_format_problems(variant=variant, answers=answers)
        unreadable += [
            UnreadablePart(question.title, labels[label], message)
            for label, message in problems.items()
            if label in labels
        ]
    return FinishSummary(parts=parts, unanswered=unanswered, unreadable=unreadable)


def sitting_clock(*, attempt: Attempt, now: datetime | None = None) -> dict:
    """What the attempt page's clock and autosave script need, as template values:
    `timed`, `deadline` and `server_now` (aware datetimes), `grace_s`, `closed`, and
    `closure` (the SittingClosure, or None) for the closing message."""
    now = now or timezone.now()
    return {
        "timed": attempt.deadline is not None,
        "deadline": attempt.deadline,
        "closed_at": attempt.closed_at,
        "server_now": now,
        "grace_s": settings.EXAM_GRACE_SECONDS,
        "closed": attempt.is_closed(now),
        "closure": SittingClosure.objects.filter(attempt=attempt).first(),
    }

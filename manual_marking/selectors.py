"""Reads: the marking queue, a part's current mark and history, whether a student may
self-assess."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from exams import selectors as exam_selectors
from exams.models import Attempt, Course, Part, Question, Submission
from exams.presentation import SolutionStatus, results_visible, solution_status
from manual_marking.models import ManualMark

NEEDS_MANUAL = "needs_manual"


def _newer_answers() -> QuerySet[Submission]:
    """Later submissions of the same attempt and question as the outer submission."""
    return Submission.objects.filter(
        attempt=OuterRef("attempt"),
        variant__version__question=OuterRef("variant__version__question"),
        created_at__gt=OuterRef("created_at"),
    )


def submission_superseded(*, submission: Submission) -> bool:
    """Whether the student answered the same question again later in the same attempt (only
    the latest answer is marked)."""
    return Submission.objects.filter(
        attempt_id=submission.attempt_id,
        variant__version__question_id=submission.variant.version.question_id,
        created_at__gt=submission.created_at,
    ).exists()


def current_mark(*, submission: Submission, part_label: str) -> ManualMark | None:
    """The mark by hand now counting for the part, or None."""
    return (
        ManualMark.objects.filter(submission=submission, part_label=part_label, current=True)
        .select_related("marked_by")
        .first()
    )


def mark_history(*, submission: Submission, part_label: str) -> QuerySet[ManualMark]:
    """Every mark given by hand to the part, newest first."""
    return ManualMark.objects.filter(submission=submission, part_label=part_label).select_related(
        "marked_by"
    )


@dataclass(frozen=True)
class QueueItem:
    """One free-text part of a submission awaiting an instructor's mark."""

    submission: Submission
    part: Part
    self_assessed: bool

    @property
    def key(self) -> tuple[str, int, str]:
        """The item's place in the queue: oldest submission first, then the paper's order."""
        return (
            self.submission.created_at.isoformat(),
            self.submission.pk,
            f"{self.part.order:06d}",
        )


def marking_queue(*, course: Course, question: Question | None = None) -> list[QueueItem]:
    """The course's free-text parts awaiting an instructor's mark, oldest answer first.

    A part awaits marking when it is in the latest marked answer of its attempt and question
    and nobody marked it yet (`needs_manual`) or only the student did (self-assessed). Open
    exams included: instructors may mark during the exam (students see marks only once
    results are visible). Optionally only the answers to `question`.
    """
    submissions = (
        Submission.objects.filter(
            attempt__course=course,
            status=Submission.Status.GRADED,
            variant__version__parts__kind=Part.Kind.TEXT,
        )
        .exclude(Exists(_newer_answers()))
        .select_related("student", "attempt", "variant__version__question")
        .prefetch_related("variant__version__parts")
        .distinct()
        .order_by("created_at", "pk")
    )
    if question is not None:
        submissions = submissions.filter(variant__version__question=question)
    items = []
    for submission in submissions:
        feedback = submission.feedback or {}
        for part in submission.variant.version.parts.all():
            entry = feedback.get(part.label)
            if part.kind != Part.Kind.TEXT or not isinstance(entry, dict):
                continue
            self_assessed = (entry.get("marked_by") or {}).get("source") == ManualMark.Source.SELF
            if entry.get("status") == NEEDS_MANUAL or self_assessed:
                items.append(QueueItem(submission, part, self_assessed))
    return items


def queue_counts(*, items: list[QueueItem]) -> list[tuple[Question, int]]:
    """How many parts await marking per question, in the order questions first appear."""
    counts: Counter[int] = Counter()
    questions: dict[int, Question] = {}
    for item in items:
        question = item.submission.variant.version.question
        questions.setdefault(question.pk, question)
        counts[question.pk] += 1
    return [(questions[pk], counts[pk]) for pk in questions]


def locked_submission_ids(*, items: list[QueueItem], user: AbstractBaseUser) -> set[int]:
    """The ids of the items' submissions that `user` (an instructor) must not open now: they
    are on a question's original exam numbers while an exam sitting showing those numbers is
    open in a course the user does not teach (see
    `exams.selectors.original_numbers_locked_for_staff`). One check per question."""
    courses = exam_selectors.instructor_course_ids(user=user)
    locked_questions: dict[int, bool] = {}
    locked: set[int] = set()
    for item in items:
        if not item.submission.variant.is_paper:
            continue
        question = item.submission.variant.version.question
        if question.pk not in locked_questions:
            locked_questions[question.pk] = exam_selectors.original_numbers_locked_for_staff(
                course_ids=courses, question=question
            )
        if locked_questions[question.pk]:
            locked.add(item.submission.pk)
    return locked


def queue_next(
    *, items: list[QueueItem], submission: Submission, part_label: str
) -> QueueItem | None:
    """The item after (submission, part) in the queue, wrapping round to the first one; None
    when nothing else awaits marking."""
    others = [
        item
        for item in items
        if not (item.submission.pk == submission.pk and item.part.label == part_label)
    ]
    if not others:
        return None
    here = next(
        (
            item.key
            for item in items
            if item.submission.pk == submission.pk and item.part.label == part_label
        ),
        None,
    )
    if here is None:
        return others[0]
    return next((item for item in others if item.key > here), others[0])


def self_assessment_refusal(
    *, submission: Submission, part_label: str, student: AbstractBaseUser
) -> str:
    """Why the student may not self-assess the part of the submission now ("" if they may).

    They may for their own latest marked answer in a practice attempt, on a free-text part
    whose question allows self-assessment, once the worked solution is shown, while no
    instructor has marked the part.
    """
    if submission.student_id != student.pk:
        return "You can only assess your own answers."
    part = submission.variant.version.parts.filter(label=part_label).first()
    if part is None or part.kind != Part.Kind.TEXT or not part.self_assessment:
        return "This part is not self-assessed: your instructor marks it."
    if submission.attempt.mode != Attempt.Mode.PRACTICE:
        return "Self-assessment is for practice only; in an exam your instructor marks this part."
    if submission.status != Submission.Status.GRADED or not results_visible(submission):
        return "Your answer has not been marked yet; assess it once it has been."
    if submission_superseded(submission=submission):
        return "You answered this question again later; assess your latest answer."
    status = solution_status(attempt=submission.attempt, variant=submission.variant)
    if status != SolutionStatus.SHOWN:
        return "Show the worked solution first: you assess your answer against the model answer."
    if not (submission.answers or {}).get(part_label, "").strip():
        return "You left this part blank, so there is nothing to assess."
    mark = current_mark(submission=submission, part_label=part_label)
    if mark is not None and mark.source != ManualMark.Source.SELF:
        return "Your instructor has marked this part, so it can no longer be self-assessed."
    return ""

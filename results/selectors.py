"""Reads for the instructors' results pages: score distributions, means and medians, common
wrong answers, named mistakes, failed code tests and marking times, per paper and question.

Which submissions count (the pages say so too): for each attempt and question, the latest
submission made in the chosen period (by the chosen student). It counts when it is marked
(`graded`); when the latest is still `pending`/`grading` or in `error`, that attempt's answer to
the question is left out and counted as "awaiting marking" / "failed to mark" instead (an older
mark is not used: it is not the student's answer any more). Within a counted submission, a
part that `needs_manual` marking is left out of that part's figures (counted separately), and
an empty answer counts as unanswered (its score, 0, still counts). A paper attempt's total is
the sum over the paper's questions of each counted mark scaled to the marks the paper gives the
question (an unanswered question scores 0); an attempt with an answer awaiting marking or
failed is left out of the totals.

Every function reads the submissions in one query, streamed in chunks; memory grows with the
number of counted submissions only by one number per part (for the medians) and one counter
entry per distinct wrong answer, mistake and failed test.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from exams.models import Attempt, Course, Membership, Paper, Part, Question, Submission

TOP_N = 5
"""How many of the most common wrong answers, mistakes and failed tests a part lists."""
BINS = 10
"""Score distributions have this many bins of equal share of the marks (0–10 %, …, 90–100 %)."""
CHUNK = 500
ANSWER_DISPLAY_CHARS = 80

GRADED = Submission.Status.GRADED
ERROR = Submission.Status.ERROR
NO_FIGURES_KINDS = {Part.Kind.CODE, Part.Kind.TEXT}
"""Kinds whose answers are not listed as "common wrong answers" (code: see failed tests)."""


class _ScoreFigures:
    """Count, mean and median of a dataclass's `scores` (the counted marks)."""

    scores: list[float]

    @property
    def marked(self) -> int:
        """How many marked answers count."""
        return len(self.scores)

    @property
    def mean(self) -> float | None:
        """Mean of the counted marks, or None for none."""
        return mean(self.scores)

    @property
    def median(self) -> float | None:
        """Median of the counted marks, or None for none."""
        return median(self.scores)


@dataclass(frozen=True)
class ResultsFilter:
    """What to count: submissions made on or after `date_from`, on or before `date_to` (dates in
    the site's time zone, both inclusive), by `student`; None means no limit."""

    date_from: date | None = None
    date_to: date | None = None
    student: AbstractBaseUser | None = None


def _bounds(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _submissions_filtered(*, course: Course, filters: ResultsFilter) -> QuerySet[Submission]:
    submissions = Submission.objects.filter(attempt__course=course)
    if filters.date_from is not None:
        submissions = submissions.filter(created_at__gte=_bounds(filters.date_from))
    if filters.date_to is not None:
        submissions = submissions.filter(
            created_at__lt=_bounds(filters.date_to + timedelta(days=1))
        )
    if filters.student is not None:
        submissions = submissions.filter(student=filters.student)
    return submissions


def latest_submissions(
    *,
    course: Course,
    filters: ResultsFilter,
    question: Question | None = None,
    paper: Paper | None = None,
    attempts: Iterable[int] | None = None,
) -> QuerySet[Submission]:
    """The latest submission per (attempt, question) of the course within `filters`, of any
    status, optionally only answers to `question`, in attempts at `paper`, or in the attempts
    whose ids are `attempts`. Annotated with `question_id`; one query."""
    submissions = _submissions_filtered(course=course, filters=filters)
    if question is not None:
        submissions = submissions.filter(variant__version__question=question)
    if paper is not None:
        submissions = submissions.filter(attempt__paper=paper)
    if attempts is not None:
        submissions = submissions.filter(attempt_id__in=list(attempts))
    return (
        submissions.annotate(
            question_id=F("variant__version__question_id"),
            newest=Window(
                RowNumber(),
                partition_by=[F("attempt_id"), F("variant__version__question_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            ),
        )
        .filter(newest=1)
        .order_by("attempt_id", "question_id")
    )


_SPACE = re.compile(r"\s+")
_SPACE_AT_PUNCTUATION = re.compile(r"\s*([,;:()\[\]{}=])\s*")


def answer_normalised(text: str) -> str:
    """An answer as compared when counting common wrong answers: case-folded, surrounding and
    repeated whitespace removed, none beside brackets, commas, semicolons, colons or "="
    (so "[1, 2]" and "[1,2]" are one answer). Returns "" for a blank answer."""
    collapsed = _SPACE.sub(" ", text.strip()).casefold()
    return _SPACE_AT_PUNCTUATION.sub(r"\1", collapsed)


def median(values: list[float]) -> float | None:
    """The median (mean of the two middle values for an even count), or None for none."""
    return statistics.median(values) if values else None


def mean(values: list[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return statistics.fmean(values) if values else None


@dataclass(frozen=True)
class Bin:
    """One bin of a score distribution: shares of the marks from `low` to `high` percent (the
    last bin includes 100), and how many scores fell in it."""

    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        """The band as the table names it, e.g. "30–40%"."""
        return f"{self.low}–{self.high}%"


def distribution(shares: list[float], *, bins: int = BINS) -> list[Bin]:
    """Counts of `shares` (score / maximum, 0 to 1; outside is clamped) in `bins` equal bins."""
    counts = [0] * bins
    for share in shares:
        counts[min(max(int(share * bins + 1e-9), 0), bins - 1)] += 1  # 1e-9: 0.3 in 30–40 %
    width = 100 // bins
    return [Bin(index * width, (index + 1) * width, n) for index, n in enumerate(counts)]


@dataclass
class PartResults(_ScoreFigures):
    """The figures of one part (over counted submissions that marked it)."""

    label: str
    display_label: str
    kind: str
    marks: float
    scores: list[float] = field(default_factory=list)
    correct: int = 0
    unanswered: int = 0
    needs_manual: int = 0
    wrong_answers: Counter[str] = field(default_factory=Counter)
    mistakes: Counter[str] = field(default_factory=Counter)
    failed_tests: Counter[str] = field(default_factory=Counter)

    @property
    def share_correct(self) -> float | None:
        """Fraction of the marked answers that were fully correct, or None if none."""
        return self.correct / self.marked if self.scores else None

    @property
    def lists_wrong_answers(self) -> bool:
        """False for code and free-text parts, whose answers are not compared as text."""
        return self.kind not in NO_FIGURES_KINDS

    @property
    def top_wrong_answers(self) -> list[tuple[str, int]]:
        """The TOP_N most common wrong answers (normalised, shortened for display), counts."""
        return [
            (
                text
                if len(text) <= ANSWER_DISPLAY_CHARS
                else text[: ANSWER_DISPLAY_CHARS - 1] + "…",
                n,
            )
            for text, n in self.wrong_answers.most_common(TOP_N)
        ]

    @property
    def top_mistakes(self) -> list[tuple[str, int]]:
        """The TOP_N named mistakes seen most, with counts."""
        return self.mistakes.most_common(TOP_N)

    @property
    def top_failed_tests(self) -> list[tuple[str, int]]:
        """The TOP_N tests (of a code part) failed most often, with counts."""
        return self.failed_tests.most_common(TOP_N)

    def add(self, *, answer: str | None, feedback: dict[str, Any]) -> None:
        """Count one marked answer to this part with its stored feedback; `answer` None means
        its text must not be shown (it is neither listed nor counted as unanswered)."""
        status = feedback.get("status")
        if status == "needs_manual":
            self.needs_manual += 1
            return
        self.scores.append(float(feedback.get("score") or 0.0))
        normalised = answer_normalised(answer) if answer is not None else ""
        if answer is not None and not normalised:
            self.unanswered += 1
        if status == "correct":
            self.correct += 1
        elif normalised and status in ("incorrect", "partially_correct", "format_error"):
            self.wrong_answers[normalised] += 1
        self.mistakes.update(str(name) for name in feedback.get("mistakes") or [])
        self.failed_tests.update(
            str(detail.get("name", "?"))
            for detail in feedback.get("details") or []
            if isinstance(detail, dict) and not detail.get("passed", False)
        )


@dataclass
class QuestionResults(_ScoreFigures):
    """The figures of one question: its counted submissions' scores (as shares of their
    maximum), marking times, submissions left out, and its parts in paper order."""

    question: Question
    parts: list[PartResults]
    out_of: float
    scores: list[float] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)
    marking_seconds: list[float] = field(default_factory=list)
    awaiting: int = 0
    failed: int = 0
    hide_original_answers: bool = False
    """True while the question's original exam numbers are locked for the viewer (see
    `original_numbers_locked_question_ids`): answers on them are not listed."""
    hidden_answers: int = 0

    @property
    def median_marking_seconds(self) -> float | None:
        """Median seconds from submission to mark, or None."""
        return median(self.marking_seconds)

    @property
    def bins(self) -> list[Bin]:
        """The distribution of the counted scores as shares of their maximum."""
        return distribution(self.shares)

    def add(self, row: dict[str, Any]) -> None:
        """Count one latest submission (a `_ROW_FIELDS` dict) to this question."""
        if row["status"] == ERROR:
            self.failed += 1
            return
        if row["status"] != GRADED:
            self.awaiting += 1
            return
        score, max_score = float(row["score"]), float(row["max_score"])
        self.scores.append(score)
        self.shares.append(score / max_score if max_score else 0.0)
        self.marking_seconds.append((row["graded_at"] - row["created_at"]).total_seconds())
        feedback = row["feedback"] or {}
        answers = row["answers"] or {}
        hidden = self.hide_original_answers and row["variant__is_paper"]
        self.hidden_answers += int(hidden)
        by_label = {part.label: part for part in self.parts}
        for label, part_feedback in feedback.items():
            if not isinstance(part_feedback, dict):
                continue
            part = by_label.get(label)
            if part is None:
                marks = float(part_feedback.get("max_score") or 0)
                part = PartResults(label, f"({label})", "", marks)
                self.parts.append(part)
            part.add(answer=None if hidden else str(answers.get(label, "")), feedback=part_feedback)


_ROW_FIELDS = (
    "pk",
    "attempt_id",
    "question_id",
    "status",
    "score",
    "max_score",
    "answers",
    "feedback",
    "created_at",
    "graded_at",
    "variant__is_paper",
)


def _rows(submissions: QuerySet[Submission]) -> Iterator[dict[str, Any]]:
    return submissions.values(*_ROW_FIELDS).iterator(chunk_size=CHUNK)


def _parts_by_question(question_ids: Iterable[int]) -> dict[int, list[Part]]:
    """Each question's parts by label, from its newest version holding that label, in order."""
    found: dict[int, dict[str, Part]] = defaultdict(dict)
    parts = (
        Part.objects.filter(version__question_id__in=list(question_ids))
        .select_related("version")
        .order_by("-version__number", "order")
    )
    for part in parts:
        found[part.version.question_id].setdefault(part.label, part)
    return {question_id: list(by_label.values()) for question_id, by_label in found.items()}


def _question_results(question: Question, parts: list[Part]) -> QuestionResults:
    current = [part for part in parts if part.version_id == parts[0].version_id] if parts else []
    return QuestionResults(
        question=question,
        parts=[
            PartResults(part.label, part.display_label, part.kind, float(part.marks))
            for part in parts
        ],
        out_of=float(sum(part.marks for part in current)),
    )


def question_results(
    *,
    course: Course,
    question: Question,
    filters: ResultsFilter,
    paper: Paper | None = None,
    hide_original_answers: bool = False,
) -> QuestionResults:
    """The figures of `question` in the course (only in attempts at `paper` if given); with
    `hide_original_answers`, answers on its original exam numbers are not listed. Two queries
    whatever the number of submissions."""
    parts = _parts_by_question([question.pk]).get(question.pk, [])
    results = _question_results(question, parts)
    results.hide_original_answers = hide_original_answers
    for row in _rows(
        latest_submissions(course=course, filters=filters, question=question, paper=paper)
    ):
        results.add(row)
    return results


@dataclass
class PaperResults:
    """The figures of one paper: attempts' totals (scaled to the paper's marks) and each
    question's figures (as its own marks, not scaled)."""

    paper: Paper
    out_of: float
    questions: list[tuple[QuestionResults, float]]
    totals: list[float] = field(default_factory=list)
    incomplete: int = 0

    @property
    def mean(self) -> float | None:
        """Mean of the counted marks, or None for none."""
        return mean(self.totals)

    @property
    def median(self) -> float | None:
        """Median of the counted marks, or None for none."""
        return median(self.totals)

    @property
    def bins(self) -> list[Bin]:
        """The distribution of the counted scores as shares of their maximum."""
        return distribution([total / self.out_of if self.out_of else 0.0 for total in self.totals])


def paper_results(*, course: Course, paper: Paper, filters: ResultsFilter) -> PaperResults:
    """The figures of `paper`'s attempts in the course; four queries whatever their number."""
    items = list(paper.items.select_related("question").order_by("order"))
    parts = _parts_by_question(item.question_id for item in items)
    per_question = {
        item.question_id: _question_results(item.question, parts.get(item.question_id, []))
        for item in items
    }
    marks = {item.question_id: float(item.marks) for item in items}
    results = PaperResults(
        paper=paper,
        out_of=sum(marks.values()),
        questions=[(per_question[item.question_id], marks[item.question_id]) for item in items],
    )
    attempt_id, total, complete = None, 0.0, True
    for row in _rows(latest_submissions(course=course, filters=filters, paper=paper)):
        if row["attempt_id"] != attempt_id:
            if attempt_id is not None:
                _paper_total_add(results, total, complete)
            attempt_id, total, complete = row["attempt_id"], 0.0, True
        question = per_question.get(row["question_id"])
        if question is None:
            continue
        question.add(row)
        if row["status"] != GRADED:
            complete = False
        elif float(row["max_score"]):
            total += float(row["score"]) / float(row["max_score"]) * marks[row["question_id"]]
    if attempt_id is not None:
        _paper_total_add(results, total, complete)
    return results


def _paper_total_add(results: PaperResults, total: float, complete: bool) -> None:
    if complete:
        results.totals.append(round(total, 3))
    else:
        results.incomplete += 1


def original_numbers_locked_question_ids(*, user: AbstractBaseUser) -> set[int]:
    """The questions whose original exam numbers `user` (an instructor) must not see now: an
    exam sitting on an original-numbers paper holding them is open in a course they do not
    teach (see `exams.selectors.original_numbers_locked_for_staff`). Two queries."""
    taught = Membership.objects.filter(user=user, role=Membership.Role.INSTRUCTOR).values(
        "course_id"
    )
    sittings = (
        Attempt.objects.filter(
            mode=Attempt.Mode.EXAM, finished_at__isnull=True, paper__use_original_numbers=True
        )
        .exclude(course_id__in=taught)
        .select_related("paper")
        .prefetch_related("paper__items")
    )
    now = timezone.now()
    return {
        item.question_id
        for sitting in sittings
        if not sitting.is_closed(now)
        for item in sitting.paper.items.all()
    }


@dataclass(frozen=True)
class IndexRow:
    """A paper or question with how many attempts, students and counted answers it has."""

    title: str
    slug: str
    attempts: int
    students: int
    marked: int


def course_results_index(
    *, course: Course, filters: ResultsFilter
) -> tuple[list[IndexRow], list[IndexRow]]:
    """(papers, questions) of the course with their counts within `filters`: attempts and
    students that submitted, and marked submissions (all of them, not only the latest)."""
    submissions = _submissions_filtered(course=course, filters=filters)
    counts = {
        "attempts": Count("attempt", distinct=True),
        "students": Count("student", distinct=True),
    }
    marked = Count("pk", filter=Q(status=GRADED))
    by_paper = {
        row["attempt__paper"]: row
        for row in submissions.filter(attempt__paper__isnull=False)
        .values("attempt__paper")
        .annotate(**counts, marked=marked)
    }
    by_question = {
        row["variant__version__question"]: row
        for row in submissions.values("variant__version__question").annotate(
            **counts, marked=marked
        )
    }
    empty = {"attempts": 0, "students": 0, "marked": 0}
    papers = [
        IndexRow(paper.title, paper.slug, **_counts(by_paper.get(paper.pk, empty)))
        for paper in course.papers.order_by("title")
    ]
    questions = [
        IndexRow(question.title, question.slug, **_counts(by_question.get(question.pk, empty)))
        for question in Question.objects.filter(Q(courses=course) | Q(papers__course=course))
        .distinct()
        .order_by("topic", "slug")
    ]
    return papers, questions


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {"attempts": row["attempts"], "students": row["students"], "marked": row["marked"]}


def course_results_question_get(*, course: Course, slug: str) -> Question | None:
    """A question the course's students can answer (the course's own or on one of its papers),
    or None."""
    return (
        Question.objects.filter(slug=slug)
        .filter(Q(courses=course) | Q(papers__course=course))
        .distinct()
        .first()
    )


def course_student_choices(*, course: Course) -> QuerySet[AbstractBaseUser]:
    """The users whose results the course shows: its students and anyone with an attempt."""
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__course=course, memberships__role=Membership.Role.STUDENT)
            | Q(attempts__course=course)
        )
        .distinct()
        .order_by("username")
    )


def course_student_attempt_counts(
    *, course: Course, filters: ResultsFilter
) -> QuerySet[AbstractBaseUser]:
    """The course's students (see `course_student_choices`), or only `filters.student`, each
    with `attempt_count`: their attempts in the course."""
    students = course_student_choices(course=course)
    if filters.student is not None:
        students = students.filter(pk=filters.student.pk)
    return students.annotate(
        attempt_count=Count("attempts", filter=Q(attempts__course=course), distinct=True)
    )


@dataclass
class AttemptQuestionResult:
    """One question of one attempt: the counted (latest) submission, its parts' rows and how
    many submissions the attempt made to the question within the filter."""

    question: Question
    submission: dict[str, Any] | None
    parts: list[dict[str, Any]]
    submissions: int
    hidden: bool = False
    """True when its answers are on original exam numbers locked for the viewer: not shown."""


@dataclass
class StudentAttempt:
    """One attempt of the student with its questions' results, in paper order."""

    attempt: Attempt
    questions: list[AttemptQuestionResult]


def student_attempts(
    *,
    course: Course,
    student: AbstractBaseUser,
    filters: ResultsFilter,
    attempts: list[Attempt],
    locked_question_ids: Collection[int] = frozenset(),
) -> list[StudentAttempt]:
    """The given attempts of `student` (one page of them) with each question's latest
    submission within `filters` (dates), its answers, marks and feedback part by part; the
    parts of a submission on the original exam numbers of a question in `locked_question_ids`
    are left out (`hidden`). A constant number of queries for the page."""
    filters = ResultsFilter(date_from=filters.date_from, date_to=filters.date_to, student=student)
    ids = [attempt.pk for attempt in attempts]
    paper_ids = {attempt.paper_id for attempt in attempts if attempt.paper_id}
    paper_questions: dict[int, list[Question]] = defaultdict(list)
    for paper in Paper.objects.filter(pk__in=paper_ids).prefetch_related("items__question"):
        paper_questions[paper.pk] = [item.question for item in paper.items.all()]
    latest = {
        (row["attempt_id"], row["question_id"]): row
        for row in _rows(latest_submissions(course=course, filters=filters, attempts=ids))
    }
    made = {
        (row["attempt_id"], row["variant__version__question_id"]): row["n"]
        for row in _submissions_filtered(course=course, filters=filters)
        .filter(attempt_id__in=ids)
        .values("attempt_id", "variant__version__question_id")
        .annotate(n=Count("pk"))
    }
    questions = {
        question.pk
        for attempt in attempts
        for question in (
            [attempt.question] if attempt.question else paper_questions[attempt.paper_id]
        )
    }
    parts = _parts_by_question(questions)
    shown = []
    for attempt in attempts:
        rows = []
        for question in (
            [attempt.question] if attempt.question else paper_questions[attempt.paper_id]
        ):
            row = latest.get((attempt.pk, question.pk))
            hidden = bool(row and row["variant__is_paper"] and question.pk in locked_question_ids)
            rows.append(
                AttemptQuestionResult(
                    question=question,
                    submission=row,
                    parts=[] if hidden else _part_rows(row, parts.get(question.pk, [])),
                    submissions=made.get((attempt.pk, question.pk), 0),
                    hidden=hidden,
                )
            )
        shown.append(StudentAttempt(attempt=attempt, questions=rows))
    return shown


def _part_rows(row: dict[str, Any] | None, parts: list[Part]) -> list[dict[str, Any]]:
    """Per part of a submission: display label, answer, status, score, maximum, feedback text,
    named mistakes and failed tests; [] without a submission."""
    if row is None:
        return []
    feedback = row["feedback"] or {}
    answers = row["answers"] or {}
    display = {part.label: part.display_label for part in parts}
    labels = [part.label for part in parts if part.label in answers or part.label in feedback]
    labels += [label for label in answers if label not in display]
    return [
        {
            "display_label": display.get(label, f"({label})"),
            "answer": answers.get(label, ""),
            "status": (feedback.get(label) or {}).get("status", ""),
            "score": (feedback.get(label) or {}).get("score"),
            "max_score": (feedback.get(label) or {}).get("max_score"),
            "feedback": (feedback.get(label) or {}).get("feedback", ""),
            "mistakes": (feedback.get(label) or {}).get("mistakes") or [],
            "failed_tests": [
                str(detail.get("name", "?"))
                for detail in (feedback.get(label) or {}).get("details") or []
                if isinstance(detail, dict) and not detail.get("passed", False)
            ],
        }
        for label in labels
    ]


def student_attempt_list(
    *, course: Course, student: AbstractBaseUser, filters: ResultsFilter
) -> QuerySet[Attempt]:
    """The student's attempts in the course, newest first; with a date in `filters`, only
    those with a submission in the period."""
    attempts = Attempt.objects.filter(course=course, student=student)
    if filters.date_from is not None or filters.date_to is not None:
        within = _submissions_filtered(
            course=course,
            filters=ResultsFilter(date_from=filters.date_from, date_to=filters.date_to),
        )
        attempts = attempts.filter(pk__in=within.values("attempt_id"))
    return attempts.select_related("question", "paper").order_by("-started_at", "-pk")

"""Reads: a student's progress in a course — past attempts with the scores they may see, per
topic, per question and per paper, and what to do next.

Every figure follows the rules of `exams.presentation.results_visible`: an exam's marks only
once the sitting has closed; practice on the original exam's numbers only once no sitting
showing them is open. A hidden mark never counts in an aggregate, a chart or a suggestion
(ordering by it would leak it). The rules are applied here to a whole course's attempts with
a fixed number of queries (`_locked_question_ids` is the batched form of
`exams.selectors.original_numbers_in_open_exam`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from exams.models import Attempt, Course, Paper, PaperQuestion, Question, Submission

NEEDS_MANUAL = "needs_manual"
NO_TOPIC = "Other"


class State:
    """Where an attempt's marks stand, as the student may know it."""

    NOT_ANSWERED = "not_answered"
    EXAM_OPEN = "exam_open"
    AFTER_ALL_SITTINGS = "after_all_sittings"
    BEING_MARKED = "being_marked"
    QUESTION_FAULT = "question_fault"
    PROVISIONAL = "provisional"
    MARKED = "marked"


STATE_NOTES = {
    State.NOT_ANSWERED: "No answer yet.",
    State.EXAM_OPEN: "Marks when you finish.",
    State.AFTER_ALL_SITTINGS: (
        "Marks appear once every sitting of the exam on these numbers has closed."
    ),
    State.BEING_MARKED: "Being marked; the mark appears here by itself.",
    State.QUESTION_FAULT: (
        "Could not be marked because of a fault in the question, not your answers; your "
        "instructor will re-mark it."
    ),
    State.PROVISIONAL: "Provisional: a part awaits your instructor's marking.",
    State.MARKED: "",
}


@dataclass(frozen=True)
class AttemptRow:
    """One past attempt. `score` and `share` are None unless the student may see them."""

    attempt: Attempt
    title: str
    kind: str  # "question" or "paper"
    mode: str
    started_at: datetime
    finished_at: datetime | None
    closed: bool
    state: str
    score: float | None
    out_of: float
    url: str

    @property
    def note(self) -> str:
        """The sentence explaining the state (empty when the score says it all)."""
        return STATE_NOTES[self.state]

    @property
    def share(self) -> float | None:
        """The visible score as a fraction of `out_of` (0..1), else None."""
        if self.score is None or not self.out_of:
            return None
        return self.score / self.out_of

    @property
    def percent(self) -> int | None:
        """`share` as a whole percentage, else None."""
        share = self.share
        return None if share is None else round(share * 100)


@dataclass
class Aggregate:
    """Attempts at one topic, question or paper: how many, and the best and latest visible
    score shares (0..1; None when no visible mark yet)."""

    name: str
    attempts: int = 0
    best: float | None = None
    latest: float | None = None
    latest_at: datetime | None = None

    def add(self, *, share: float | None, when: datetime) -> None:
        """Count a visible share (None: answered, but no mark to show) seen at `when`."""
        if share is None:
            return
        self.best = share if self.best is None else max(self.best, share)
        if self.latest_at is None or when >= self.latest_at:
            self.latest, self.latest_at = share, when

    @property
    def best_percent(self) -> int | None:
        """`best` as a whole percentage, else None."""
        return None if self.best is None else round(self.best * 100)

    @property
    def latest_percent(self) -> int | None:
        """`latest` as a whole percentage, else None."""
        return None if self.latest is None else round(self.latest * 100)


@dataclass(frozen=True)
class ItemStatus:
    """A question or paper of the course as the home page lists it: `status` is
    "not_started", "in_progress" or "marked" (then `best_percent` is set)."""

    obj: Question | Paper
    status: str
    best_percent: int | None
    resume_url: str = ""


@dataclass(frozen=True)
class NextStep:
    """The suggested next thing to do: a sentence, a link, and its link text."""

    text: str
    url: str
    action: str


@dataclass
class CourseProgress:
    """Everything the history page and the home page show of one student in one course."""

    course: Course
    attempts: list[AttemptRow] = field(default_factory=list)
    topics: list[Aggregate] = field(default_factory=list)
    questions: list[ItemStatus] = field(default_factory=list)
    papers: list[ItemStatus] = field(default_factory=list)
    paper_aggregates: list[Aggregate] = field(default_factory=list)
    next_step: NextStep = NextStep(text="", url="", action="")

    @property
    def scored_attempts(self) -> list[AttemptRow]:
        """Attempts with a visible score, oldest first (for a chart in time order)."""
        return sorted(
            (row for row in self.attempts if row.score is not None),
            key=lambda row: (row.started_at, row.attempt.pk),
        )


def _locked_question_ids(question_ids: set[int], now: datetime) -> set[int]:
    """Of `question_ids`, those whose original exam numbers an open exam sitting (any course,
    any student) shows: one query for all of them."""
    if not question_ids:
        return set()
    sittings = Attempt.objects.filter(
        mode=Attempt.Mode.EXAM,
        finished_at__isnull=True,
        paper__use_original_numbers=True,
        paper__items__question_id__in=question_ids,
    ).values_list("paper__items__question_id", "started_at", "paper__time_limit_minutes")
    return {
        question_id
        for question_id, started_at, minutes in sittings
        if not minutes or now < started_at + timedelta(minutes=minutes)
    }


def _visible(*, attempt: Attempt, submission: Submission, locked: set[int], now: datetime) -> bool:
    """`exams.presentation.results_visible`, with the open-sittings lookup done beforehand."""
    if attempt.mode == Attempt.Mode.EXAM:
        return attempt.is_closed(now)
    return not (submission.variant.is_paper and submission.variant.version.question_id in locked)


def _needs_manual(submission: Submission) -> bool:
    return any(
        isinstance(part, dict) and part.get("status") == NEEDS_MANUAL
        for part in (submission.feedback or {}).values()
    )


def _state(*, attempt: Attempt, latest: list[Submission], locked: set[int], now: datetime) -> str:
    """The attempt's `State` from its latest submission per question (privacy first)."""
    if attempt.mode == Attempt.Mode.EXAM and not attempt.is_closed(now):
        return State.EXAM_OPEN
    if not latest:
        return State.NOT_ANSWERED
    if not all(_visible(attempt=attempt, submission=s, locked=locked, now=now) for s in latest):
        return State.AFTER_ALL_SITTINGS
    if any(
        s.status == Submission.Status.ERROR and s.failure == Submission.Failure.QUESTION
        for s in latest
    ):
        return State.QUESTION_FAULT
    if any(s.status != Submission.Status.GRADED for s in latest):
        return State.BEING_MARKED
    if any(_needs_manual(s) for s in latest):
        return State.PROVISIONAL
    return State.MARKED


def _attempts(*, student: AbstractBaseUser, course: Course) -> list[Attempt]:
    """The student's attempts in the course, newest first, with their submissions (newest
    first, without the answers) and their paper's items: three queries in all."""
    return list(
        Attempt.objects.filter(student=student, course=course)
        .select_related("question", "paper")
        .prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.select_related("variant__version")
                .defer("answers", "error_message", "variant__params", "variant__reference")
                .order_by("-created_at", "-pk"),
            ),
            Prefetch("paper__items", queryset=PaperQuestion.objects.select_related("question")),
        )
        .order_by("-started_at", "-pk")
    )


def _latest_per_question(attempt: Attempt) -> dict[int, Submission]:
    """The attempt's latest submission for each question answered in it."""
    latest: dict[int, Submission] = {}
    for submission in attempt.submissions.all():  # newest first
        latest.setdefault(submission.variant.version.question_id, submission)
    return latest


def _share(submission: Submission) -> float:
    return float(submission.score) / float(submission.max_score) if submission.max_score else 0.0


def course_progress(*, student: AbstractBaseUser, course: Course) -> CourseProgress:
    """The student's progress in `course` (a fixed number of queries, however many attempts).

    Attempts newest first, each with what the student may see of its score (a paper: each
    question's latest answer scaled to the paper's marks, like
    `exams.selectors.paper_attempt_score`; a question: its latest answer). Topics, questions
    and papers with attempt counts and best/latest visible score shares; each question and
    paper's status for the home page; and the next step: resume an open exam or paper
    attempt, else a question opened but not answered, else an untried question of the weakest
    topic, else the question with the weakest best score.
    """
    now = timezone.now()
    attempts = _attempts(student=student, course=course)
    latest_by_attempt = {attempt.pk: _latest_per_question(attempt) for attempt in attempts}
    paper_question_ids = {
        submission.variant.version.question_id
        for latest in latest_by_attempt.values()
        for submission in latest.values()
        if submission.variant.is_paper
    }
    locked = _locked_question_ids(paper_question_ids, now)
    questions = list(course.questions.order_by("topic", "slug"))
    papers = list(course.papers.order_by("title"))

    progress = CourseProgress(course=course)
    per_question: dict[int, Aggregate] = {q.pk: Aggregate(name=q.title) for q in questions}
    topic_of = {  # the course's questions and those of the papers attempted
        question.pk: question.topic or NO_TOPIC
        for question in [
            *questions,
            *(
                item.question
                for attempt in attempts
                if attempt.paper is not None
                for item in attempt.paper.items.all()
            ),
        ]
    }
    per_topic: dict[str, Aggregate] = {}
    per_paper: dict[int, Aggregate] = {p.pk: Aggregate(name=p.title) for p in papers}
    opened_questions: dict[int, Attempt] = {}  # the newest attempt, if not answered yet
    newest_seen: set[int] = set()
    open_papers: list[Attempt] = []

    for attempt in attempts:
        latest = latest_by_attempt[attempt.pk]
        closed = attempt.is_closed(now)
        state = _state(attempt=attempt, latest=list(latest.values()), locked=locked, now=now)
        shown = state in (State.MARKED, State.PROVISIONAL)
        if attempt.paper is not None:
            items = list(attempt.paper.items.all())
            out_of = float(sum(item.marks for item in items))
            earned = sum(
                _share(latest[item.question_id]) * float(item.marks)
                for item in items
                if item.question_id in latest
                and latest[item.question_id].status == Submission.Status.GRADED
            )
            score = round(earned, 2) if shown else None
            title, kind = attempt.paper.title, "paper"
            if attempt.paper_id in per_paper:
                per_paper[attempt.paper_id].attempts += 1
                per_paper[attempt.paper_id].add(
                    share=score / out_of if score is not None and out_of else None,
                    when=attempt.started_at,
                )
            if not closed:
                open_papers.append(attempt)
        else:
            only = latest.get(attempt.question_id)
            out_of = float(only.max_score) if only is not None else 0.0
            score = float(only.score) if shown and only is not None else None
            title, kind = attempt.question.title, "question"
            if attempt.question_id not in newest_seen and not latest and not closed:
                opened_questions[attempt.question_id] = attempt
            newest_seen.add(attempt.question_id)
        topics_seen: set[str] = set()
        for question_id, submission in latest.items():
            visible_mark = submission.status == Submission.Status.GRADED and _visible(
                attempt=attempt, submission=submission, locked=locked, now=now
            )
            share = _share(submission) if visible_mark else None
            if question_id in per_question:
                per_question[question_id].attempts += 1
                per_question[question_id].add(share=share, when=submission.created_at)
            topic = topic_of.get(question_id)
            if topic is not None:
                aggregate = per_topic.setdefault(topic, Aggregate(name=topic))
                if topic not in topics_seen:
                    topics_seen.add(topic)
                    aggregate.attempts += 1
                aggregate.add(share=share, when=submission.created_at)
        progress.attempts.append(
            AttemptRow(
                attempt=attempt,
                title=title,
                kind=kind,
                mode=attempt.mode,
                started_at=attempt.started_at,
                finished_at=attempt.finished_at,
                closed=closed,
                state=state,
                score=score,
                out_of=out_of,
                url=reverse("frontend:attempt", args=[attempt.pk]),
            )
        )

    progress.topics = sorted(per_topic.values(), key=lambda aggregate: aggregate.name)
    progress.paper_aggregates = [per_paper[p.pk] for p in papers]
    progress.questions = [
        _item_status(q, per_question[q.pk], opened_questions.get(q.pk)) for q in questions
    ]
    open_by_paper = {attempt.paper_id: attempt for attempt in reversed(open_papers)}
    progress.papers = [_item_status(p, per_paper[p.pk], open_by_paper.get(p.pk)) for p in papers]
    progress.next_step = _next_step(
        course=course,
        questions=questions,
        per_question=per_question,
        per_topic=per_topic,
        topic_of=topic_of,
        open_papers=open_papers,
        opened_questions=opened_questions,
    )
    return progress


def _item_status(
    obj: Question | Paper, aggregate: Aggregate, open_attempt: Attempt | None
) -> ItemStatus:
    """A question's or paper's status: marked (best visible score), in progress (an open
    attempt, or answers without a visible mark yet) or not started."""
    resume = reverse("frontend:attempt", args=[open_attempt.pk]) if open_attempt else ""
    if aggregate.best is not None:
        return ItemStatus(obj, "marked", aggregate.best_percent, resume)
    if aggregate.attempts or open_attempt is not None:
        return ItemStatus(obj, "in_progress", None, resume)
    return ItemStatus(obj, "not_started", None)


def _weakest_topics(per_topic: dict[str, Aggregate], topics: Iterable[str]) -> dict[str, float]:
    """Each topic's strength for ordering (its best visible share; 0 when none yet)."""
    return {
        topic: (per_topic[topic].best or 0.0) if topic in per_topic else 0.0 for topic in topics
    }


def _next_step(
    *,
    course: Course,
    questions: list[Question],
    per_question: dict[int, Aggregate],
    per_topic: dict[str, Aggregate],
    topic_of: dict[int, str],
    open_papers: list[Attempt],
    opened_questions: dict[int, Attempt],
) -> NextStep:
    """What to do next, from visible figures only (see `course_progress`)."""
    exams_open = [a for a in open_papers if a.mode == Attempt.Mode.EXAM]
    for attempt in exams_open or open_papers:
        sitting = "exam" if attempt.mode == Attempt.Mode.EXAM else "practice paper"
        return NextStep(
            text=f"Your {sitting} “{attempt.paper.title}” is still open.",
            url=reverse("frontend:attempt", args=[attempt.pk]),
            action=f"Resume {attempt.paper.title}",
        )
    for question in questions:
        if question.pk in opened_questions:
            return NextStep(
                text=f"You opened “{question.title}” but have not answered it yet.",
                url=reverse("frontend:attempt", args=[opened_questions[question.pk].pk]),
                action=f"Continue {question.title}",
            )
    strength = _weakest_topics(per_topic, topic_of.values())
    untried = [q for q in questions if not per_question[q.pk].attempts]
    if untried:
        question = min(untried, key=lambda q: strength[topic_of[q.pk]])
        topic = topic_of[question.pk]
        known = per_topic.get(topic)
        why = (
            f"your best in {topic} so far is {known.best_percent}%"
            if known is not None and known.best is not None
            else f"you have not practised {topic} yet"
        )
        return NextStep(
            text=f"Try “{question.title}”: {why}.",
            url=reverse("frontend:question", args=[course.slug, question.slug]),
            action=f"Start {question.title}",
        )
    scored = [q for q in questions if per_question[q.pk].best is not None]
    if scored:
        question = min(scored, key=lambda q: per_question[q.pk].best)
        return NextStep(
            text=(
                f"Your weakest question is “{question.title}” "
                f"(best {per_question[question.pk].best_percent}%): try new numbers."
            ),
            url=reverse("frontend:question", args=[course.slug, question.slug]),
            action=f"Practise {question.title}",
        )
    if not questions:
        return NextStep(text="This course has no questions yet.", url="", action="")
    return NextStep(
        text="Nothing to suggest until your answers are marked; come back then.", url="", action=""
    )

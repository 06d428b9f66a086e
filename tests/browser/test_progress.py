"""A student's progress in a real browser: after some marked attempts the course list says what
was done and what is next, and the history page shows the charts with the same figures in
tables, whole at phone width (390 px, no sideways scrolling) and on a desktop."""

from __future__ import annotations

import time

import pytest

from exams import services
from exams.models import Submission
from tests.browser.conftest import DESKTOP, assert_no_sideways_scroll, login, screenshot
from tests.progress.helpers import answered


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")  # takes the marking tasks the submissions queue
def test_student_sees_history_chart_and_table_on_a_phone(
    course,
    student,
    demo_question,
    make_paper,
    phone_page,
):
    for right in (0, 1, 2):
        attempt = services.attempt_start_question(
            student=student, course=course, question=demo_question
        )
        answered(attempt, student, demo_question, right=right)
    paper = make_paper("Mock exam")
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    answered(sitting, student, demo_question, right=2)
    # The session's worker also takes each marking task; whichever claims a submission first
    # marks it, so wait until every one is marked before looking.
    deadline = time.monotonic() + 60
    while Submission.objects.exclude(status=Submission.Status.GRADED).exists():
        assert time.monotonic() < deadline, "the submissions were not marked within a minute"
        time.sleep(0.2)

    page = phone_page
    login(page, student)

    page.wait_for_selector(".next-step")
    assert "Resume Mock exam" in page.inner_text(".next-step")
    assert "best 100%" in page.inner_text("ul.questions")
    assert_no_sideways_scroll(page, "the course list")
    screenshot(page, "progress-home-phone")

    page.click("text=Your progress in Neural Networks")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart title").first.text_content() == "Best score per topic"
    recent = page.locator("table:has(caption:text('recent marked attempts')) tbody tr")
    assert [row.inner_text().split("\t")[-1] for row in recent.all()] == [
        "0 / 2 (0%)",
        "1 / 2 (50%)",
        "2 / 2 (100%)",
    ]
    exam_row = page.locator(f"tr[data-attempt='{sitting.pk}']")
    assert "Marks when you finish." in exam_row.inner_text()
    assert "2 / 2" not in exam_row.inner_text()
    assert_no_sideways_scroll(page, "the progress page")
    chart_width = page.evaluate("document.querySelector('svg.chart').getBoundingClientRect().width")
    assert chart_width <= 390
    headings = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])"
    )
    assert headings[0] == 1 and all(
        b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)
    )
    screenshot(page, "progress-history-phone")

    exam_row.locator("a").click()
    page.wait_for_url(f"**/attempts/{sitting.pk}/")
    page.set_viewport_size(DESKTOP)
    page.go_back()
    page.wait_for_selector("svg.chart")
    screenshot(page, "progress-history-desktop")

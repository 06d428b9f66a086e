"""A student's progress in a real browser: after some marked attempts the course list says what
was done and what is next, and the history page shows the charts with the same figures in
tables, whole at phone width (390 px, no sideways scrolling) and on a desktop."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings

from exams import services
from tests.integration.conftest import broker, redis_url  # noqa: F401  (real Redis for the queue)
from tests.progress.helpers import answered

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = settings.VAR_DIR / "test-artifacts" / "screenshots"


@pytest.fixture
def browser_page(monkeypatch):
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; run `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 390, "height": 844})
        browser.close()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.integration
@pytest.mark.slow
def test_student_sees_history_chart_and_table_on_a_phone(
    broker,  # noqa: F811
    live_server,
    course,
    student,
    demo_question,
    make_paper,
    browser_page,
):
    for right in (0, 1, 2):
        attempt = services.attempt_start_question(
            student=student, course=course, question=demo_question
        )
        answered(attempt, student, demo_question, right=right)
    paper = make_paper("Mock exam")
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    answered(sitting, student, demo_question, right=2)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", student.username)
    page.fill("input[name=password]", "pw-" + student.username)
    page.click("button[type=submit]")

    page.wait_for_selector(".next-step")
    assert "Resume Mock exam" in page.inner_text(".next-step")
    assert "best 100%" in page.inner_text("ul.questions")
    assert _no_sideways_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "progress-home-390.png", full_page=True)

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
    assert _no_sideways_scroll(page)
    chart_width = page.evaluate("document.querySelector('svg.chart').getBoundingClientRect().width")
    assert chart_width <= 390
    headings = page.evaluate(
        "[...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1])"
    )
    assert headings[0] == 1 and all(
        b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)
    )
    page.screenshot(path=SCREENSHOTS / "progress-history-390.png", full_page=True)

    exam_row.locator("a").click()
    page.wait_for_url(f"**/attempts/{sitting.pk}/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.go_back()
    page.wait_for_selector("svg.chart")
    page.screenshot(path=SCREENSHOTS / "progress-history-1280.png", full_page=True)

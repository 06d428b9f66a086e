"""An instructor reads the class results in a real browser: the course page links to them; a
paper's and a question's pages show the score plot and its table, per-part figures and common
wrong answers; the filter narrows them to one student; a student's attempts open; a phone
(390 px) never scrolls sideways. Submissions are marked by the real worker."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from exams import services
from exams.models import Submission
from tests.integration.conftest import (  # noqa: F401  (fixtures used by name)
    broker,
    celery_worker,
    redis_url,
    start_worker,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MARKING_TIMEOUT_S = 60


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed; run `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def artifacts(tmp_path) -> Path:
    """Where screenshots go: $BROWSER_ARTIFACTS_DIR (kept by CI) or the test's tmp folder."""
    folder = Path(os.environ.get("BROWSER_ARTIFACTS_DIR", tmp_path)) / "instructor_results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _answer(attempt, student, question, answers_for) -> Submission:
    variant = services.attempt_variant(attempt=attempt, question=question)
    return services.submission_create(
        attempt=attempt,
        student=student,
        question=question,
        answers=answers_for(variant.reference["exact"]),
    )


def _wait_marked(submissions: list[Submission]) -> None:
    deadline = time.monotonic() + MARKING_TIMEOUT_S
    ids = [s.pk for s in submissions]
    while Submission.objects.filter(pk__in=ids, status=Submission.Status.GRADED).count() < len(ids):
        assert time.monotonic() < deadline, "the worker did not mark the submissions in time"
        time.sleep(0.2)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_instructor_reads_class_results_with_a_plot(
    live_server, course, student, other_student, instructor, make_paper, browser, artifacts
):
    question = course.questions.get()
    paper = make_paper("Mock exam", minutes=None)
    right = lambda ref: {k: f"{v:.2f}" for k, v in ref.items()}  # noqa: E731
    wrong_y = lambda ref: {"y": "4.1", "loss": f"{ref['loss']:.2f}"}  # noqa: E731
    submitted = []
    for who, answers_for in [(student, right), (other_student, wrong_y)]:
        sitting = services.attempt_start_paper(student=who, paper=paper, mode="practice")
        submitted.append(_answer(sitting, who, question, answers_for))
        practice = services.attempt_start_question(student=who, course=course, question=question)
        submitted.append(_answer(practice, who, None, wrong_y))
    _wait_marked(submitted)

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", instructor.username)
    page.fill("input[name=password]", "pw-" + instructor.username)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/instructor/courses/{course.slug}/")
    page.click("a:text-is('Results')")
    page.wait_for_selector("table.results-papers")
    assert "Mock exam" in page.inner_text("table.results-papers")

    page.click("table.results-papers a:text('Mock exam')")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart rect.chart-bar").count() == 10
    assert "Attempts counted: 2" in page.inner_text("ul.figures")
    distribution = page.inner_text("table.distribution")
    assert "90–100%" in distribution and "0–10%" in distribution
    assert "(a)" in page.inner_text("table.per-part") and "(b)" in page.inner_text("table.per-part")
    page.screenshot(path=str(artifacts / "paper-desktop.png"), full_page=True)

    page.click(f"table.per-part a:has-text('{question.title}')")
    page.wait_for_selector("svg.chart")
    assert "Submissions counted: 2" in page.inner_text("ul.figures")
    assert "4.1" in page.inner_text("table.wrong-answers")
    assert "Median marking time" in page.inner_text("ul.figures")

    page.goto(
        f"{live_server.url}/instructor/courses/{course.slug}/results/questions/{question.slug}/"
    )
    assert "Submissions counted: 4" in page.inner_text("ul.figures")
    page.select_option("select[name=student]", other_student.username)
    page.click("form.results-filter button[type=submit]")
    page.wait_for_url("**student=bob**")
    assert "Submissions counted: 2" in page.inner_text("ul.figures")
    wrong = page.inner_text("table.wrong-answers")
    assert "4.1" in wrong and "\t2" in wrong

    page.goto(f"{live_server.url}/instructor/courses/{course.slug}/results/")
    page.click(f"table.results-students a:text('{other_student.username}')")
    page.wait_for_selector("section.student-attempt")
    assert page.locator("section.student-attempt").count() == 2
    assert "4.1" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "student-desktop.png"), full_page=True)

    phone = browser.new_context(viewport=PHONE, storage_state=context.storage_state()).new_page()
    for path, name in [
        ("results/", "index"),
        (f"results/papers/{paper.slug}/", "paper"),
        (f"results/questions/{question.slug}/", "question"),
        (f"results/students/{other_student.pk}/", "student"),
    ]:
        phone.goto(f"{live_server.url}/instructor/courses/{course.slug}/{path}")
        phone.wait_for_selector("form.results-filter")
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)

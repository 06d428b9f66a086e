"""Manual marking in a real browser: an instructor opens the marking queue, marks a free-text
answer with a comment, goes on to the next one; the student then sees the mark."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question
from tests.manual_marking.conftest import SHORT_SLUG, TEXT_PART, answer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
def short_question(course) -> Question:
    """The short-answers question (free-text parts) in the course."""
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SHORT_SLUG))
    question = Question.objects.get(slug=SHORT_SLUG)
    course.questions.add(question)
    return question


@pytest.fixture
def artifacts(tmp_path) -> Path:
    """Where screenshots go: $BROWSER_ARTIFACTS_DIR (kept by CI) or the test's tmp folder."""
    folder = Path(os.environ.get("BROWSER_ARTIFACTS_DIR", tmp_path)) / "manual_marking"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.integration
@pytest.mark.slow
def test_instructor_marks_a_free_text_answer_and_the_student_sees_it(
    live_server, course, student, instructor, short_question, browser, artifacts
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=short_question
    )
    answer(attempt, student, "No.\nEvery neuron gets the same gradient, so they stay equal.")

    page = browser.new_page(viewport=DESKTOP)
    log_in(page, live_server, instructor)
    page.goto(f"{live_server.url}/instructor/courses/{course.slug}/")
    page.click("text=Free-text answers to mark")
    page.wait_for_selector("table.marking-queue")
    assert Question.objects.get(slug=SHORT_SLUG).title in page.inner_text("table.marking-counts")
    page.screenshot(path=artifacts / "queue-desktop.png", full_page=True)
    page.click("text=Start marking")

    page.wait_for_selector("form.marking-form")
    assert "Every neuron gets the same gradient" in page.inner_text(".student-answer")
    assert "Xavier or Kaiming" in page.inner_text(".model-answer")
    assert "symmetry" in page.inner_text(".rubric")
    page.set_viewport_size(PHONE)
    page.screenshot(path=artifacts / "mark-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(DESKTOP)
    page.fill("input[name=score]", "1.5")
    page.fill("textarea[name=comment]", "Right verdict; explain why symmetry is never broken.")
    page.click("text=Save and next")

    page.wait_for_selector(".messages")
    assert "Saved 1.5 / 2" in page.inner_text(".messages")
    assert "/more_data/" in page.url  # the next free-text part of the queue
    page.screenshot(path=artifacts / "next-desktop.png", full_page=True)
    page.close()

    student_page = browser.new_page(viewport=PHONE)
    log_in(student_page, live_server, student)
    student_page.goto(f"{live_server.url}/attempts/{Attempt.objects.get(student=student).pk}/")
    feedback = student_page.inner_text(f"fieldset[data-label={TEXT_PART}] .feedback")
    assert "1.5/2" in feedback.replace(" ", "")
    assert "Marked by your instructor" in feedback
    assert "explain why symmetry is never broken" in feedback
    student_page.screenshot(path=artifacts / "student-phone.png", full_page=True)

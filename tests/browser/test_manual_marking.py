"""Manual marking in a real browser: an instructor opens the marking queue, marks a free-text
answer with a comment, goes on to the next one; the student then sees the mark."""

from __future__ import annotations

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question
from tests.browser.conftest import DESKTOP, PHONE, assert_no_sideways_scroll, login, screenshot
from tests.manual_marking.conftest import SHORT_SLUG, TEXT_PART, answer


@pytest.fixture
def short_question(course) -> Question:
    """The short-answers question (free-text parts) in the course."""
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SHORT_SLUG))
    question = Question.objects.get(slug=SHORT_SLUG)
    course.questions.add(question)
    return question


@pytest.mark.integration
@pytest.mark.slow
def test_instructor_marks_a_free_text_answer_and_the_student_sees_it(
    course, student, instructor, short_question, new_page
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=short_question
    )
    answer(
        attempt,
        student,
        "No.\nEvery neuron gets the same gradient, so they stay equal.",
        more_data="More data would not help: the model is too simple.",
    )

    page = new_page("desktop")
    login(page, instructor)
    page.goto(f"/instructor/courses/{course.slug}/")
    page.click("text=Free-text answers to mark")
    page.wait_for_selector("table.marking-queue")
    assert Question.objects.get(slug=SHORT_SLUG).title in page.inner_text("table.marking-counts")
    screenshot(page, "marking-queue-desktop")
    page.click("text=Start marking")

    page.wait_for_selector("form.marking-form")
    assert "Every neuron gets the same gradient" in page.inner_text(".student-answer")
    assert "Xavier or Kaiming" in page.inner_text(".model-answer")
    assert "symmetry" in page.inner_text(".rubric")
    page.set_viewport_size(PHONE)
    screenshot(page, "marking-mark-phone")
    assert_no_sideways_scroll(page, "the marking page")
    page.set_viewport_size(DESKTOP)
    page.fill("input[name=score]", "1.5")
    page.fill("textarea[name=comment]", "Right verdict; explain why symmetry is never broken.")
    page.click("text=Save and next")

    page.wait_for_selector(".messages")
    assert "Saved 1.5 / 2" in page.inner_text(".messages")
    assert "/more_data/" in page.url  # the next free-text part of the queue
    screenshot(page, "marking-next-desktop")

    student_page = new_page("phone")
    login(student_page, student)
    student_page.goto(f"/attempts/{Attempt.objects.get(student=student).pk}/")
    feedback = student_page.inner_text(f"fieldset[data-label={TEXT_PART}] .feedback")
    assert "1.5/2" in feedback.replace(" ", "")
    assert "Marked by your instructor" in feedback
    assert "explain why symmetry is never broken" in feedback
    screenshot(student_page, "marking-student-sees-mark-phone")

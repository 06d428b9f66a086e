"""An instructor reads the class results in a real browser: the course page links to them; a
paper's and a question's pages show the score plot and its table, per-part figures and common
wrong answers; the filter narrows them to one student; a student's attempts open; a phone
(390 px) never scrolls sideways. Submissions are marked by the real worker."""

from __future__ import annotations

import time

import pytest

from exams import services
from exams.models import Submission
from tests.browser.conftest import assert_no_sideways_scroll, login, screenshot
from tests.variant_wait import built_variant

MARKING_TIMEOUT_S = 60


def _answer(attempt, student, question, answers_for) -> Submission:
    variant = built_variant(attempt=attempt, question=question)
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


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_instructor_reads_class_results_with_a_plot(
    course, student, other_student, instructor, make_paper, new_page
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

    page = new_page("desktop")
    login(page, instructor)
    page.goto(f"/instructor/courses/{course.slug}/")
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
    screenshot(page, "results-paper-desktop")

    page.click(f"table.per-part a:has-text('{question.title}')")
    page.wait_for_selector("svg.chart")
    assert "Submissions counted: 2" in page.inner_text("ul.figures")
    assert "4.1" in page.inner_text("table.wrong-answers")
    assert "Median marking time" in page.inner_text("ul.figures")

    page.goto(f"/instructor/courses/{course.slug}/results/questions/{question.slug}/")
    assert "Submissions counted: 4" in page.inner_text("ul.figures")
    page.select_option("select[name=student]", other_student.username)
    page.click("form.results-filter button[type=submit]")
    page.wait_for_url("**student=bob**")
    assert "Submissions counted: 2" in page.inner_text("ul.figures")
    wrong = page.inner_text("table.wrong-answers")
    assert "4.1" in wrong and "\t2" in wrong

    page.goto(f"/instructor/courses/{course.slug}/results/")
    page.click(f"table.results-students a:text('{other_student.username}')")
    page.wait_for_selector("section.student-attempt")
    assert page.locator("section.student-attempt").count() == 2
    assert "4.1" in page.inner_text("main")
    screenshot(page, "results-student-desktop")

    phone = new_page("phone")
    phone.context.add_cookies(page.context.cookies())
    for path, name in [
        ("results/", "index"),
        (f"results/papers/{paper.slug}/", "paper"),
        (f"results/questions/{question.slug}/", "question"),
        (f"results/students/{other_student.pk}/", "student"),
    ]:
        phone.goto(f"/instructor/courses/{course.slug}/{path}")
        phone.wait_for_selector("form.results-filter")
        assert_no_sideways_scroll(phone, f"results {name}")
        screenshot(phone, f"results-{name}-phone")

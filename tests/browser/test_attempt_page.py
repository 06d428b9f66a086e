"""The student's attempt page in a real browser: parts saved on their own, choices clicked, a
phone-width screen without sideways scrolling, and maths that is not a tab stop.

A display formula wider than its box scrolls sideways inside its `.math-scroll` box, which is then
a tab stop so keyboard users can scroll it (axe's scrollable-region-focusable asks for exactly
that): that is the one way focus may reach maths. A formula that fits is never a tab stop."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

import question_engine
from exams.bank_sync import question_sync
from exams.models import Attempt, Question
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot
from tests.variant_wait import built_variant

CHOICE_SLUG = "seed001-q1-mcq-ssl-generative"
PHONE_SLUGS = ("seed000-q4-realnvp-coupling", "seed002-q2-mlp-forward-backward", "code-layer-norm")


def _add_questions(course, *slugs: str) -> None:
    for slug in slugs:
        question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
        course.questions.add(Question.objects.get(slug=slug))


def _open_question(page, course, slug: str) -> None:
    page.goto(f"/courses/{course.slug}/questions/{slug}/")
    page.wait_for_selector("form.answer-form")
    page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
    page.evaluate("MathJax.startup.promise")


def _feedback(page, label: str):
    """The feedback line of a part (a Playwright locator)."""
    return page.locator(f"fieldset.part[data-label={label}] > .feedback")


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_parts_are_saved_and_marked_on_their_own_without_a_reload(course, student, desktop_page):
    page = desktop_page
    login(page, student)
    _open_question(page, course, "demo-linear-neuron")
    exact = built_variant(attempt=Attempt.objects.get(student=student)).reference["exact"]
    page.evaluate("window.__sameDocument = true")
    save_y = page.get_by_role("button", name="Save and mark this part (a)")
    save_loss = page.get_by_role("button", name="Save and mark this part (b)")
    assert page.locator("form.answer-form button.primary").inner_text() == "Submit answers"

    page.get_by_label("Your answer to part (a)").fill(f"{exact['y'] + 2:.2f}")
    save_y.click()
    expect(_feedback(page, "y")).to_contain_text("incorrect", timeout=60_000)
    expect(_feedback(page, "loss")).to_have_text("unanswered 0/1 — Not answered.")

    page.get_by_label("Your answer to part (a)").fill(f"{exact['y']:.2f}")
    save_y.click()
    expect(_feedback(page, "y")).to_have_text(re.compile(r"^correct 1/1"), timeout=60_000)
    expect(page.locator(".status-line")).to_have_text("Score: 1 / 2")

    page.get_by_label("Your answer to part (b)").fill(f"{exact['loss']:.2f}")
    save_loss.click()
    expect(_feedback(page, "loss")).to_have_text(re.compile(r"^correct 1/1"), timeout=60_000)
    expect(_feedback(page, "y")).to_have_text(re.compile(r"^correct 1/1"))
    expect(page.locator(".status-line")).to_have_text("Score: 2 / 2")
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "attempt-parts-marked-desktop")


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_a_multiple_choice_question_is_answered_by_clicking(course, student, phone_page):
    _add_questions(course, CHOICE_SLUG)
    page = phone_page
    login(page, student)
    _open_question(page, course, CHOICE_SLUG)
    assert page.locator("fieldset.part input[type=text]").count() == 0
    attempt = Attempt.objects.get(student=student)
    variant = built_variant(attempt=attempt)
    exact = variant.reference["exact"]
    for part in variant.version.parts.all():
        box = page.locator(f"fieldset.part[data-label={part.label}]")
        group = box.locator("fieldset.choices")
        assert group.locator("legend").inner_text().endswith(part.display_label)
        right = exact[part.label]
        keys = right if isinstance(right, list) else re.split(r"[,\s]+", str(right).strip())
        kind = "checkbox" if part.kind == "multi" else "radio"
        assert group.locator(f"input[type={kind}]").count() >= 4
        for key in keys:
            group.locator(f"label.choice:has(input[value='{key}'])").click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".status-line")).to_contain_text("Score", timeout=60_000)
    submission = attempt.submissions.get()
    multi = [p.label for p in variant.version.parts.all() if p.kind == "multi"]
    assert multi and all(
        submission.answers[label].replace(" ", "") == str(exact[label]).replace(" ", "")
        for label in multi
    )
    full = f"{float(submission.max_score):g}"
    assert page.inner_text(".status-line") == f"Score: {full} / {full}"
    screenshot(page, "attempt-choices-marked-phone")


def _maths_reached_by_tab(page) -> list[str]:
    """Tabs from the top through every stop; returns the formulas focus landed on, as
    "fits" (a formula as a tab stop) or "scrolls" (the box of a display formula wider than the
    box, a tab stop so keyboard users can scroll it)."""
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    stops = page.locator("a, button, input, textarea, select, mjx-container, [tabindex]").count()
    reached = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        landed = page.evaluate(
            "(() => { const math = document.activeElement"
            " && document.activeElement.closest('mjx-container, .math-scroll');"
            " if (!math) return null;"
            " return math.scrollWidth > math.clientWidth ? 'scrolls' : 'fits'; })()"
        )
        if landed is not None:
            reached.append(landed)
    return reached


@pytest.mark.integration
@pytest.mark.slow
def test_attempt_pages_fit_a_phone_and_maths_is_not_a_tab_stop(course, student, phone_page):
    _add_questions(course, *PHONE_SLUGS)
    page = phone_page
    login(page, student)
    for slug in ("demo-linear-neuron", *PHONE_SLUGS):
        page.set_viewport_size(PHONE)
        _open_question(page, course, slug)
        assert page.locator("mjx-container").count() > 0, slug
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{slug}: the page is {width} px wide"
        assert page.locator("mjx-container[tabindex], mjx-container [tabindex]").count() == 0
        assert "fits" not in _maths_reached_by_tab(page), f"{slug}: Tab landed on a formula"
        unlabelled = page.evaluate(
            "Array.from(document.querySelectorAll('form.answer-form input:not([type=hidden]),"
            " form.answer-form textarea')).filter((el) => !el.labels.length"
            " && !el.getAttribute('aria-label')).length"
        )
        assert unlabelled == 0, f"{slug}: {unlabelled} controls without a label"
        page.set_viewport_size(DESKTOP)
        reached = _maths_reached_by_tab(page)
        assert "fits" not in reached, f"{slug}: Tab landed on a formula"
        if slug == "demo-linear-neuron":
            assert reached == [], "Tab landed on maths"

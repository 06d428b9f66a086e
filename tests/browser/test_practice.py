"""A student in a real browser: log in, answer, see "Marking…" then the mark, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exams.models import Attempt
from tests.browser.conftest import login
from tests.variant_wait import built_variant


@pytest.mark.integration
@pytest.mark.slow
def test_student_is_marked_in_the_browser_without_reloading(
    celery_worker, course, student, desktop_page
):
    page = desktop_page
    login(page, student)
    page.click("text=A single linear neuron")
    page.wait_for_selector("form.answer-form")

    page.fill("input[name=answer_y]", "three")
    page.fill("input[name=answer_loss]", "1")
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector("fieldset[data-label=y] .format-error:not(:empty)")
    expect(page.locator(".status-line")).to_contain_text("nothing was submitted")

    attempt = Attempt.objects.get(student=student)
    exact = built_variant(attempt=attempt).reference["exact"]
    page.evaluate("window.__sameDocument = true")
    page.fill("input[name=answer_y]", f"{exact['y']:.2f}")
    page.fill("input[name=answer_loss]", f"{exact['loss'] + 5:.2f}")
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".status-line:has-text('Score')", timeout=60_000)

    assert page.evaluate("window.__sameDocument") is True
    assert page.inner_text(".status-line") == "Score: 1 / 2"
    assert "correct" in page.inner_text("fieldset[data-label=y] .feedback")
    assert "incorrect" in page.inner_text("fieldset[data-label=loss] .feedback")
    assert not page.is_visible(".solution")

    page.click("text=Show worked solution")
    page.wait_for_selector(".solution .body:not(:empty)")
    assert "no longer scored" in page.inner_text(".notice")
    assert page.locator("form.answer-form button[type=submit]").count() == 0

"""A question whose variant is still being built: "Preparing your question…", then the question
by itself, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exams import services
from exams.models import Variant
from tests.browser.conftest import login


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.variants_in_background
def test_the_question_appears_by_itself_once_its_variant_is_built(course, student, desktop_page):
    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, student)
    page.goto(f"/courses/{course.slug}/questions/demo-linear-neuron/")
    expect(page.locator(".preparing")).to_contain_text("Preparing your question")
    expect(page.get_by_role("link", name="Refresh the page")).to_be_visible()
    assert page.locator("form.answer-form").count() == 0

    # What the variants worker does (no worker runs here, so the page waits until then).
    services.variant_build(variant_id=Variant.objects.get().pk)

    page.wait_for_selector("form.answer-form", timeout=30_000)
    expect(page.locator(".preparing")).to_have_count(0)
    expect(page.locator("article.statement")).not_to_be_empty()
    assert errors == []

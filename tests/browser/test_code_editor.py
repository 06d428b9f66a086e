"""The code editor in a real browser: a student writes the LayerNorm by keyboard (Tab to
indent), runs the visible tests with Ctrl-Enter, submits, sees per-test feedback and the line
where a wrong version fails; the editor's bundle comes from our own origin."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.templatetags.static import static

import question_engine
from exams.bank_sync import question_sync
from exams.models import Attempt, Question
from tests.browser.conftest import PHONE, login, screenshot
from tests.variant_wait import built_variant

SLUG = "code-layer-norm"
BUNDLE = "frontend/build/editor.js"
EDITOR = "fieldset[data-label=impl] .cm-content"
MARKING_TIMEOUT_MS = 120_000

FUNCTION_SOLUTION = """import torch


def layer_norm(X, alpha, beta, eps={eps}):
    mean = X.mean(-1, keepdim=True)
    variance = ((X - mean) ** 2).mean(-1, keepdim=True)
    return alpha * (X - mean) / torch.sqrt(variance + eps) + beta"""
MODULE_SOLUTION = """import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, num_features, eps={eps}):
        super().__init__()
        self.eps = eps
        self.alpha = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, X):
        mean = X.mean(-1, keepdim=True)
        variance = ((X - mean) ** 2).mean(-1, keepdim=True)
        return self.alpha * (X - mean) / torch.sqrt(variance + self.eps) + self.beta"""


@pytest.fixture
def code_course(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SLUG))
    question = Question.objects.get(slug=SLUG)
    course.questions.add(question)
    return course


def _type_code(page, code: str) -> None:
    """Type `code` line by line as a person would: Shift-Tab to the margin, then one Tab per
    level of indentation (the editor indents after a colon by itself; this undoes that)."""
    for number, line in enumerate(code.splitlines()):
        if number:
            page.keyboard.press("Enter")
        stripped = line.lstrip(" ")
        if not stripped:
            continue
        for _ in range(3):
            page.keyboard.press("Shift+Tab")
        for _ in range((len(line) - len(stripped)) // 4):
            page.keyboard.press("Tab")
        page.keyboard.type(stripped)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.usefixtures("celery_worker")
def test_student_writes_runs_and_submits_layer_norm_in_the_editor(
    live_server, code_course, student, desktop_page
):
    page = desktop_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, student)
    page.goto(f"/courses/{code_course.slug}/questions/{SLUG}/")
    page.wait_for_selector(EDITOR)

    attempt = Attempt.objects.get(student=student)
    params = built_variant(attempt=attempt).params
    solution = (MODULE_SOLUTION if params["form"] == "module" else FUNCTION_SOLUTION).format(
        eps=repr(float(params["eps"]))
    )

    # The starter is shown once, in the editor; the textarea stays the (hidden) form field.
    assert page.inner_text("main").count("# X has shape (batch") == 1
    assert page.is_hidden("textarea[name=answer_impl]")
    name = page.inner_text("label[for=answer-code-layer-norm-impl]")
    assert name.startswith("Code for part (")
    editor = page.get_by_role("textbox", name=name, exact=True)
    assert editor.count() == 1
    assert "Escape, then Tab" in page.inner_text("fieldset[data-label=impl] .editor-hint")

    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    _type_code(page, solution)
    assert page.input_value("textarea[name=answer_impl]") == solution

    page.keyboard.press("Control+Enter")
    results = page.locator("fieldset[data-label=impl] .test-results")
    results.filter(has_text="Visible tests passed").wait_for(timeout=MARKING_TIMEOUT_MS)
    # Every visible test passed (how many there are depends on the variant's form).
    assert re.search(r"Visible tests passed: (\d+) of \1 ", results.inner_text())
    assert "failed" not in results.inner_text()

    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".status-line:has-text('Score')", timeout=MARKING_TIMEOUT_MS)
    assert page.inner_text(".status-line") == "Score: 8 / 8"
    feedback = page.inner_text("fieldset[data-label=impl] .feedback")
    assert "mixed_scale_rows: passed" in feedback and "hidden test 1: passed" in feedback
    assert page.locator(".cm-error-line").count() == 0
    screenshot(page, "code-editor-marked-desktop")

    # A wrong version: its failing line is highlighted, with the error as the marker's title.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type("return X.nope()")
    page.keyboard.press("Control+Enter")
    error_line = page.locator(".cm-error-line")
    error_line.wait_for(timeout=MARKING_TIMEOUT_MS)
    assert error_line.inner_text().strip() == "return X.nope()"
    assert "AttributeError" in page.get_attribute(".cm-error-marker", "title")

    # Marked, the same line comes back from the submission's feedback, after a reload too.
    page.click("form.answer-form button[type=submit]")
    page.wait_for_selector(".status-line:has-text('Score: 0')", timeout=MARKING_TIMEOUT_MS)
    page.reload()
    page.locator(".cm-error-line").wait_for()
    assert page.locator(".cm-error-line").inner_text().strip() == "return X.nope()"

    # Escape then Tab leaves the editor; reset brings the starter back (after a confirmation).
    editor.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.closest('.cm-editor')")
    page.click("fieldset[data-label=impl] button.reset-starter")
    starter = page.get_attribute("textarea[name=answer_impl]", "data-starter")
    assert page.input_value("textarea[name=answer_impl]") == starter
    assert page.locator(".cm-error-line").count() == 0

    # Everything came from our own origin; on a phone the code part fits the screen (long
    # lines scroll inside the editor's own box).
    assert all(url.startswith(live_server.url) for url in requested), requested
    page.set_viewport_size(PHONE)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  # " + "a long comment " * 8)
    for box in ["fieldset[data-label=impl]", ".code-editor"]:
        assert (
            page.evaluate(f"document.querySelector('{box}').getBoundingClientRect().right") <= 390
        )
    assert page.evaluate(
        "(s => s.scrollWidth > s.clientWidth)(document.querySelector('.code-editor .cm-scroller'))"
    )
    screenshot(page, "code-editor-phone")


@pytest.mark.integration
def test_the_bundle_comes_from_our_origin_and_the_editor_follows_its_textarea(
    live_server, code_course, student, desktop_page
):
    page = desktop_page
    login(page, student)
    page.goto(f"/courses/{code_course.slug}/questions/{SLUG}/")
    sources = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
    assert f"{live_server.url}{static(BUNDLE)}" in sources
    assert all(src.startswith(live_server.url) for src in sources), sources
    response = page.request.get(f"{live_server.url}{static(BUNDLE)}")
    assert response.status == 200
    assert "javascript" in response.headers["content-type"]
    assert page.locator(".code-editor .cm-editor").count() == 1

    # Answers filled in by other page code (answers.js `fill`) show in the editor.
    page.evaluate(
        "TensorgradeAnswers.fill(document.querySelector('form.answer-form'), {impl: 'x = 1'})"
    )
    assert page.inner_text("fieldset[data-label=impl] .cm-content") == "x = 1"

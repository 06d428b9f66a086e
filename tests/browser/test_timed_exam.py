"""A timed exam in a real browser: answers typed are saved on the server, survive a reload,
and are submitted by the server when time is up; the page then says so and shows the marks."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services
from exams.models import Attempt

# The real Redis and Celery worker fixtures of the integration tests (tests/browser has no
# conftest of its own here).
from tests.integration import conftest as integration

redis_url = integration.redis_url
broker = integration.broker
start_worker = integration.start_worker

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SECONDS_LEFT = 20


@pytest.fixture
def browser_page(monkeypatch):
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; run `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


@pytest.mark.integration
@pytest.mark.slow
def test_a_one_minute_exam_loses_nothing(
    start_worker, live_server, course, student, demo_question, make_paper, settings, browser_page
):
    settings.EXAM_GRACE_SECONDS = 2
    start_worker(env={"EXAM_GRACE_SECONDS": "2", "EXAM_AUTOSUBMIT_SWEEP_EVERY_S": "1"}, beat=True)
    paper = make_paper("One-minute exam", minutes=1)
    sitting = services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.EXAM)
    exact = services.attempt_variant(attempt=sitting, question=demo_question).reference["exact"]

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", student.username)
    page.fill("input[name=password]", "pw-" + student.username)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")
    # The minute mostly gone already, so the test waits seconds, not a minute.
    Attempt.objects.filter(pk=sitting.pk).update(
        started_at=timezone.now() - timedelta(seconds=60 - SECONDS_LEFT)
    )
    page.goto(f"{live_server.url}/attempts/{sitting.pk}/")

    clock = page.locator("#exam-clock")
    assert re.search(r"Time left: 0:\d\d", clock.inner_text())
    assert "closes at" in clock.inner_text()
    page.fill("input[name=answer_y]", f"{exact['y']:.2f}")
    page.wait_for_selector("#autosave-status:has-text('Saved at')")

    page.reload()
    assert page.input_value("input[name=answer_y]") == f"{exact['y']:.2f}"
    page.fill("input[name=answer_loss]", "12 apples")
    page.wait_for_selector("fieldset[data-label=loss] .format-error:has-text('Cannot be read')")
    page.fill("input[name=answer_loss]", f"{exact['loss'] + 4:.2f}")
    page.locator("input[name=answer_y]").focus()  # leaving the field saves at once
    page.wait_for_selector("#autosave-status:has-text('Saved at')")

    page.click("#exam-finish-open")  # asks first, in a dialog; the student keeps working
    page.wait_for_selector("#exam-finish-dialog[open]")
    assert "All 2 parts have an answer" in page.inner_text("#exam-finish-dialog")
    page.click("#exam-finish-cancel")
    assert not page.is_visible("#exam-finish-dialog")

    # (loss) typed, then (y) saved and marked alone at once: the page saves the typed (loss)
    # as a draft before it submits (y), so the submission's empty (loss) hides nothing.
    sent: list[tuple[str, str]] = []
    page.on("request", lambda request: sent.append((request.method, request.post_data or "")))
    page.fill("input[name=answer_loss]", f"{exact['loss'] + 5:.2f}")
    with page.expect_request(lambda request: request.method == "POST"):
        page.click("button.save-part[data-part=y]")
    methods = [method for method, _body in sent]
    assert "PUT" in methods
    assert methods.index("PUT") < methods.index("POST")
    assert f"{exact['loss'] + 5:.2f}" in sent[methods.index("PUT")][1]

    page.wait_for_selector(
        ".exam-closed:has-text('your saved answers were submitted')", timeout=60_000
    )
    assert "This exam closed at" in page.inner_text(".exam-closed")
    page.reload()  # the part's own mark shown earlier is replaced by the closing submission's
    page.wait_for_selector(".status-line:has-text('Score')", timeout=60_000)
    assert page.inner_text(".status-line") == "Score: 1 / 2"
    assert page.input_value("input[name=answer_loss]") == f"{exact['loss'] + 5:.2f}"
    assert errors == []
    sitting.refresh_from_db()
    assert sitting.finished_at == sitting.deadline

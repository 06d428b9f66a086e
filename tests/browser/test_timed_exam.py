"""A timed exam in a real browser: answers typed are saved on the server, survive a reload,
and are submitted by the server when time is up; the page then says so and shows the marks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services
from exams.models import Attempt
from tests.browser.conftest import login, screenshot
from tests.variant_wait import built_variant

# The exam's minute is mostly gone when the page opens (its start is back-dated), so the test
# waits seconds, not a minute: enough to type, reload and type again before the deadline.
SECONDS_LEFT = 12


@pytest.mark.integration
@pytest.mark.slow
def test_a_one_minute_exam_loses_nothing(
    start_worker, course, student, demo_question, make_paper, settings, desktop_page
):
    # Its own worker: the submission at time up is the beat sweep's, which the shared worker
    # does not run; a short grace period and a sweep every second keep the wait short.
    settings.EXAM_GRACE_SECONDS = 2
    start_worker(env={"EXAM_GRACE_SECONDS": "2", "EXAM_AUTOSUBMIT_SWEEP_EVERY_S": "1"}, beat=True)
    paper = make_paper("One-minute exam", minutes=1)
    sitting = services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.EXAM)
    exact = built_variant(attempt=sitting, question=demo_question).reference["exact"]

    page = desktop_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, student)
    Attempt.objects.filter(pk=sitting.pk).update(
        started_at=timezone.now() - timedelta(seconds=60 - SECONDS_LEFT)
    )
    page.goto(f"/attempts/{sitting.pk}/")

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
    screenshot(page, "timed-exam-answering-desktop")

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
    screenshot(page, "timed-exam-closed-desktop")
    sitting.refresh_from_db()
    assert sitting.finished_at == sitting.deadline

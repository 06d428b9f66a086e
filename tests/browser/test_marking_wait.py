"""The attempt page waits for a mark with long polls, not a fixed fast poll: a submission left
waiting for a worker costs one request, its mark shows without a reload as soon as a worker marks
it (the worker's announcement on Redis wakes the waiting request), and a server that cannot be
reached is asked again with backoff while the page says the answers are saved."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from exams import services, submission_events
from exams.models import Attempt
from tests.browser.conftest import login

SUBMISSION_URL = "/api/v1/submissions/"


def _open_demo(page, course) -> None:  # noqa: ANN001
    page.goto(f"/courses/{course.slug}/questions/demo-linear-neuron/")
    page.wait_for_selector("form.answer-form")


def _answer_right(page, student) -> None:  # noqa: ANN001
    exact = services.attempt_variant(attempt=Attempt.objects.get(student=student)).reference[
        "exact"
    ]
    page.fill("input[name=answer_y]", f"{exact['y']:.2f}")
    page.fill("input[name=answer_loss]", f"{exact['loss']:.2f}")


@pytest.mark.integration
@pytest.mark.slow
def test_a_waiting_submission_costs_one_request_and_its_mark_arrives_when_marked(
    start_worker, broker, settings, monkeypatch, course, student, desktop_page
):
    settings.SUBMISSION_EVENTS_REDIS_URL = broker
    # Only the worker's announcement (or the end of a 25 s wait) answers the waiting request.
    monkeypatch.setattr(submission_events, "RECHECK_S", 3600.0)
    page = desktop_page
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if SUBMISSION_URL in r.url else None)
    login(page, student)
    _open_demo(page, course)
    _answer_right(page, student)
    page.evaluate("window.__sameDocument = true")
    page.click("form.answer-form button[type=submit]")
    expect(page.locator(".status-line")).to_have_text("Marking…")
    # No worker yet: the submission waits; a 300 ms poll would have asked over ten times.
    time.sleep(5)
    assert len(polls) == 1 and "wait=" in polls[0], polls
    start_worker()
    expect(page.locator(".status-line")).to_have_text("Score: 2 / 2", timeout=60_000)
    assert page.evaluate("window.__sameDocument") is True
    # One long poll, a second only if the worker took longer than its 25 s to start and mark.
    assert len(polls) <= 2, polls


@pytest.mark.integration
@pytest.mark.slow
def test_a_server_out_of_reach_is_asked_again_with_backoff(
    celery_worker, course, student, desktop_page
):
    page = desktop_page
    failed: list[float] = []

    def unreachable_twice(route) -> None:  # noqa: ANN001
        if len(failed) < 2:
            failed.append(time.monotonic())
            route.abort("connectionrefused")
        else:
            route.continue_()

    login(page, student)
    _open_demo(page, course)
    _answer_right(page, student)
    page.route(f"**{SUBMISSION_URL}**", unreachable_twice)
    page.click("form.answer-form button[type=submit]")
    expect(page.locator(".status-line")).to_contain_text("your answers are saved")
    expect(page.locator(".status-line")).to_contain_text("Trying again in 1 s")
    expect(page.locator(".status-line")).to_contain_text("Trying again in 2 s")
    expect(page.locator(".status-line")).to_have_text("Score: 2 / 2", timeout=60_000)
    assert len(failed) == 2 and failed[1] - failed[0] >= 0.9

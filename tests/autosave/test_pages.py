"""The attempt page's clock, restored answers, closing message, and the Finish exam step."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from autosave import services
from autosave.models import SittingClosure
from exams import services as exam_services
from exams.models import Submission


@pytest.fixture
def page(client, student):
    client.force_login(student)
    return client


def test_the_page_has_the_clock_and_restores_saved_answers(page, sitting, student, demo_question):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "7.25"}
    )
    html = page.get(reverse("frontend:attempt", args=[sitting.pk])).content.decode()
    assert f'data-deadline="{sitting.deadline.isoformat()}"' in html
    assert re.search(r"<input [^>]*name=\"answer_y\"[^>]*value=\"7.25\"", html)
    assert "frontend/exam.js" in html
    assert 'aria-live="polite"' in html
    assert reverse("autosave:sitting-finish", args=[sitting.pk]) in html
    assert "<dialog" in html


def test_practice_is_autosaved_without_a_clock(page, course, student, demo_question):
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    html = page.get(reverse("frontend:attempt", args=[attempt.pk])).content.decode()
    assert 'id="autosave-status"' in html
    assert 'id="exam-clock"' not in html


def test_finish_step_says_what_happens_then_finishes(page, sitting, student, demo_question):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "oops"}
    )
    url = reverse("autosave:sitting-finish", args=[sitting.pk])
    html = page.get(url).content.decode()
    assert "1 of 2 parts is unanswered" in html
    assert "cannot be read" in html
    assert "unknown name" in html
    refused = page.post(url, {})
    assert "Confirm with" in refused.content.decode()
    assert Submission.objects.count() == 0
    response = page.post(url, {"confirm": "True"}, follow=True)
    html = response.content.decode()
    assert "You finished the exam; your saved answers were submitted" in html
    assert "You finished this exam at" in html
    assert SittingClosure.objects.get().by == SittingClosure.By.STUDENT
    assert Submission.objects.get().answers == {"y": "oops", "loss": ""}


def test_a_sitting_closed_by_the_timer_says_so(page, sitting, student, demo_question, age):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1"}
    )
    age(sitting, 120)
    html = page.get(reverse("frontend:attempt", args=[sitting.pk])).content.decode()
    assert "your saved answers are being submitted" in html
    services.sitting_close_at_time_up(attempt_id=sitting.pk)
    html = page.get(reverse("frontend:attempt", args=[sitting.pk])).content.decode()
    assert "This exam closed at" in html
    assert sitting.deadline.strftime("%H:%M") in html
    assert "your saved answers were submitted." in html
    assert 'id="exam-finish-open"' not in html


def test_someone_elses_finish_step_is_not_found(client, other_student, sitting):
    client.force_login(other_student)
    response = client.get(reverse("autosave:sitting-finish", args=[sitting.pk]))
    assert response.status_code == 404


def test_the_practice_finish_route_sends_an_exam_sitting_to_its_confirmation_step(
    page, sitting, student, demo_question
):
    """A POST to the practice "Finish" route must not close a sitting without submitting the
    answers saved as they were typed: it leads to the Finish exam step, which does."""
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "7.25"}
    )
    response = page.post(reverse("frontend:attempt-finish", args=[sitting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("autosave:sitting-finish", args=[sitting.pk])
    sitting.refresh_from_db()
    assert sitting.finished_at is None
    assert not Submission.objects.filter(attempt=sitting).exists()

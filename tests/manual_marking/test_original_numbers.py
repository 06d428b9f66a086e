"""Marking pages and the original exam numbers: while an exam sitting on them is open in a
course, another course's instructor can neither open the marking page of an answer on those
numbers (409, as the preview) nor follow it from the queue (shown locked, without numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from exams import services as exam_services
from exams.models import Course, Membership
from exams.presentation import variant_public
from tests.manual_marking.conftest import TEXT_PART, answer


@pytest.fixture
def other_course_answer(make_user, short_question):
    """Course B (instructor dave) holds mallory's practice answer on the original numbers,
    made before any exam on them opened."""
    other = Course.objects.create(slug="other", title="Other course")
    other.questions.add(short_question)
    dave, mallory = make_user("dave"), make_user("mallory")
    Membership.objects.create(course=other, user=dave, role=Membership.Role.INSTRUCTOR)
    Membership.objects.create(course=other, user=mallory, role=Membership.Role.STUDENT)
    paper = exam_services.paper_create(
        course=other,
        title="B original",
        time_limit_minutes=None,
        use_original_numbers=True,
        items=[(short_question, Decimal(10))],
    )
    practice = exam_services.attempt_start_paper(student=mallory, paper=paper, mode="practice")
    return dave, answer(practice, mallory, text="My own answer.")


def _open_exam(course, student, question):
    paper = exam_services.paper_create(
        course=course,
        title="A exam",
        time_limit_minutes=60,
        use_original_numbers=True,
        items=[(question, Decimal(10))],
    )
    sitting = exam_services.attempt_start_paper(student=student, paper=paper, mode="exam")
    return sitting, exam_services.attempt_variant(attempt=sitting, question=question)


def _urls(submission):
    mark = reverse(
        "manual_marking:mark",
        kwargs={"course_slug": "other", "submission_id": submission.pk, "part_label": TEXT_PART},
    )
    return reverse("manual_marking:queue", kwargs={"course_slug": "other"}), mark


@pytest.mark.django_db
def test_marking_page_refused_while_an_exam_elsewhere_shows_the_numbers(
    client, course, student, instructor, short_question, other_course_answer
):
    dave, submission = other_course_answer
    queue_url, mark_url = _urls(submission)
    client.force_login(dave)
    assert client.get(mark_url).status_code == 200
    sitting, exam_variant = _open_exam(course, student, short_question)
    statement = variant_public(exam_variant)["statement_html"]

    page = client.get(mark_url)
    assert page.status_code == 409
    body = page.content.decode()
    assert "in use in an exam that is in progress" in body
    assert statement not in body and "My own answer." not in body
    assert client.post(mark_url, {"score": "1"}).status_code == 409

    queue = client.get(queue_url)
    body = queue.content.decode()
    assert queue.status_code == 200
    assert "locked: original exam numbers in use in an exam in progress" in body
    assert mark_url not in body and "Start marking" not in body
    assert statement not in body

    # The exam's own course still marks as usual.
    sitting_submission = answer(sitting, student)
    client.force_login(instructor)
    own = reverse(
        "manual_marking:mark",
        kwargs={
            "course_slug": course.slug,
            "submission_id": sitting_submission.pk,
            "part_label": TEXT_PART,
        },
    )
    assert client.get(own).status_code == 200


@pytest.mark.django_db
def test_results_and_export_of_the_other_course_show_no_answer_on_the_locked_numbers(
    client, course, student, short_question, other_course_answer
):
    dave, submission = other_course_answer
    _sitting, exam_variant = _open_exam(course, student, short_question)
    statement = variant_public(exam_variant)["statement_html"]
    client.force_login(dave)
    for url in (
        reverse("results:question", args=["other", short_question.slug]),
        reverse("results:student", args=["other", submission.student_id]),
    ):
        page = client.get(url)
        body = page.content.decode()
        assert page.status_code == 200, url
        assert "My own answer." not in body and statement not in body, url
    export = client.get(
        reverse("regrades:export", args=["other"]),
        {"question": short_question.pk, "layout": "moodle", "download": "1"},
    )
    assert export.status_code == 200
    body = export.getvalue().decode() if export.streaming else export.content.decode()
    assert "My own answer." not in body and statement not in body


@pytest.mark.django_db
def test_the_submission_api_refuses_staff_an_answer_on_numbers_in_use(
    api_for, course, student, short_question, other_course_answer
):
    """The REST API is held to the same rule as the marking page: another course's instructor
    cannot read an answer on original numbers while a sitting of them is open (its student
    still can: the answer is their own)."""
    dave, submission = other_course_answer
    url = f"/api/v1/submissions/{submission.pk}/"
    assert api_for(dave).get(url).status_code == 200
    _open_exam(course, student, short_question)

    refused = api_for(dave).get(url)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "exam_in_progress"
    assert "My own answer." not in refused.content.decode()
    assert api_for(submission.student).get(url).status_code == 200

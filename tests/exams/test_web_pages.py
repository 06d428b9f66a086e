"""The student pages: log in, see the course, answer, and never see another's work."""

from __future__ import annotations

import pytest

from exams import services
from exams.models import Attempt, Submission


@pytest.mark.django_db
def test_login_page_and_redirect_for_anonymous(client, course):
    assert client.get("/").status_code == 302
    assert client.get("/login/").status_code == 200


@pytest.mark.django_db
def test_student_sees_course_questions_and_an_answer_form(client, course, student):
    client.force_login(student)
    home = client.get("/")
    assert b"A single linear neuron" in home.content
    opened = client.get(f"/courses/{course.slug}/questions/demo-linear-neuron/", follow=True)
    assert opened.status_code == 200
    page = opened.content.decode()
    assert 'name="answer_y"' in page and 'name="answer_loss"' in page
    attempt = Attempt.objects.get(student=student)
    reference = services.attempt_variant(attempt=attempt).reference["exact"]
    for value in reference.values():
        assert f"{value:.4f}" not in page


@pytest.mark.django_db
def test_form_post_with_an_unreadable_answer_shows_the_message_and_stores_nothing(
    client, course, student
):
    client.force_login(student)
    client.get(f"/courses/{course.slug}/questions/demo-linear-neuron/")
    attempt = Attempt.objects.get(student=student)
    page = client.post(
        f"/attempts/{attempt.pk}/submit/",
        {"question": "demo-linear-neuron", "answer_y": "abc", "answer_loss": "1"},
        follow=True,
    ).content.decode()
    assert "part (a)" in page
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_new_variant_button_starts_the_next_attempt(client, course, student):
    client.force_login(student)
    client.get(f"/courses/{course.slug}/questions/demo-linear-neuron/")
    client.post(f"/courses/{course.slug}/questions/demo-linear-neuron/new/")
    assert list(Attempt.objects.values_list("number", flat=True).order_by("number")) == [1, 2]


@pytest.mark.django_db
def test_another_student_cannot_open_my_attempt_page(client, course, student, other_student):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    client.force_login(other_student)
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404

"""The history page and the course list: only the student's own figures, never early marks."""

from __future__ import annotations

import pytest

from exams import services
from exams.models import Course
from tests.progress.helpers import answered


def _start(course, student, question):
    return services.attempt_start_question(student=student, course=course, question=question)


@pytest.mark.django_db
def test_history_lists_my_attempts_with_scores_chart_and_tables(
    client, course, student, other_student, demo_question
):
    mine = _start(course, student, demo_question)
    answered(mine, student, demo_question, right=1)
    theirs = _start(course, other_student, demo_question)
    answered(theirs, other_student, demo_question, right=2)
    client.force_login(student)

    page = client.get(f"/courses/{course.slug}/progress/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/attempts/{mine.pk}/"' in html
    assert f"/attempts/{theirs.pk}/" not in html
    assert "1 / 2 (50%)" in html
    assert html.count('<svg class="chart"') == 2
    assert "Best score per topic" in html and f"{demo_question.topic}: best 50%" in html
    assert "Attempts and score share per topic" in html


@pytest.mark.django_db
def test_history_of_an_open_exam_says_marks_come_when_you_finish(
    client, course, student, demo_question, make_paper
):
    sitting = services.attempt_start_paper(student=student, paper=make_paper(), mode="exam")
    answered(sitting, student, demo_question, right=2)
    client.force_login(student)

    html = client.get(f"/courses/{course.slug}/progress/").content.decode()

    assert "Marks when you finish." in html
    assert "2 / 2" not in html and "100%" not in html
    assert "No marked attempts yet." in html


@pytest.mark.django_db
def test_another_course_or_none_is_not_found(client, course, student, make_user):
    Course.objects.create(slug="private", title="Not mine")
    client.force_login(student)

    assert client.get("/courses/private/progress/").status_code == 404
    assert client.get("/courses/missing/progress/").status_code == 404
    client.logout()
    assert client.get(f"/courses/{course.slug}/progress/").status_code == 302


@pytest.mark.django_db
def test_home_shows_status_next_step_and_history_link(client, course, student, demo_question):
    client.force_login(student)
    html = client.get("/").content.decode()
    assert "not started" in html
    assert "Start A single linear neuron" in html
    assert f'href="/courses/{course.slug}/progress/"' in html

    answered(_start(course, student, demo_question), student, demo_question, right=1)
    html = client.get("/").content.decode()
    assert "best 50%" in html
    assert "Practise A single linear neuron" in html


@pytest.mark.django_db
def test_pages_take_a_fixed_number_of_queries_for_many_attempts(
    client, course, student, demo_question, make_paper, django_assert_max_num_queries
):
    for _ in range(10):
        answered(_start(course, student, demo_question), student, demo_question)
    paper = make_paper()
    for _ in range(4):
        attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
        answered(attempt, student, demo_question, right=1)
    client.force_login(student)

    with django_assert_max_num_queries(16):
        assert client.get(f"/courses/{course.slug}/progress/").status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get("/").status_code == 200

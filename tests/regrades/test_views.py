"""The regrade pages: the start form (errors next to fields), the job page, its progress JSON."""

from __future__ import annotations

import pytest

from exams import services as exam_services
from regrades import services
from regrades.models import RegradeJob
from tests.regrades.helpers import answer_and_mark


@pytest.fixture
def answered(course, student, demo_question):
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    return answer_and_mark(
        attempt=attempt, student=student, question=demo_question, y_right=True, loss_right=True
    )


@pytest.mark.django_db
def test_starting_a_regrade_shows_the_job(client, course, instructor, demo_question, answered):
    client.force_login(instructor)
    url = f"/instructor/courses/{course.slug}/regrades/"
    assert "every marked submission" in client.get(url).text
    response = client.post(url, {"question": demo_question.pk})
    job = RegradeJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url}{job.pk}/"
    page = client.get(response["Location"])
    assert 'role="status"' in page.text and f"{url}{job.pk}/progress/" in page.text
    progress = client.get(f"{url}{job.pk}/progress/").json()
    assert (progress["total"], progress["done"], progress["finished"]) == (1, 0, False)
    services.regrade_job_run(job_id=job.pk, worker="w")
    assert client.get(f"{url}{job.pk}/progress/").json()["finished"] is True
    assert "No mark changed." in client.get(f"{url}{job.pk}/").text


@pytest.mark.django_db
def test_the_form_says_what_is_missing_next_to_the_fields(client, course, instructor):
    client.force_login(instructor)
    page = client.post(f"/instructor/courses/{course.slug}/regrades/", {})
    assert page.text.count("Choose either a question or a paper") == 2


@pytest.mark.django_db
def test_nothing_to_regrade_is_said_on_the_form(client, course, instructor, demo_question):
    client.force_login(instructor)
    page = client.post(
        f"/instructor/courses/{course.slug}/regrades/", {"question": demo_question.pk}
    )
    assert "nothing to regrade" in page.text


@pytest.mark.django_db
def test_another_courses_job_is_not_found(client, course, instructor, student):
    client.force_login(student)
    assert client.get(f"/instructor/courses/{course.slug}/regrades/").status_code == 404
    client.force_login(instructor)
    assert (
        client.get(f"/instructor/courses/{course.slug}/regrades/999/progress/").status_code == 404
    )


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1e999999", "1e400", "NaN", "Infinity", "-0", "9" * 40])
def test_absurd_choices_are_form_errors(client, course, instructor, answered, value):
    client.force_login(instructor)
    start = client.post(f"/instructor/courses/{course.slug}/regrades/", {"question": value})
    assert start.status_code == 200  # the form again, the error beside the field
    assert 'aria-invalid="true"' in start.content.decode()
    export = client.get(
        f"/instructor/courses/{course.slug}/export/", {"question": value, "layout": value}
    )
    assert export.status_code in (200, 400)
    assert not RegradeJob.objects.exists()
    assert client.get(f"/instructor/courses/{course.slug}/regrades/{'9' * 40}/").status_code < 500

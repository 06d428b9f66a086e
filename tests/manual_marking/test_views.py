"""The instructors' marking pages: who may open them, the queue's order and filter, marking
one part with "Save and next", and clear messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exams import services as exam_services
from exams.models import Submission
from manual_marking.models import ManualMark
from tests.manual_marking.conftest import SHORT_SLUG, TEXT_PART, answer


def queue_url(question: str = "") -> str:
    url = reverse("manual_marking:queue", kwargs={"course_slug": "nndl"})
    return f"{url}?question={question}" if question else url


def mark_url(submission: Submission, label: str = TEXT_PART) -> str:
    return reverse(
        "manual_marking:mark",
        kwargs={"course_slug": "nndl", "submission_id": submission.pk, "part_label": label},
    )


@pytest.mark.django_db
def test_only_the_courses_instructors_open_the_queue_and_marking_pages(
    client, student, instructor, marked
):
    assert client.get(queue_url()).status_code == 302  # to the login page
    client.force_login(student)
    assert client.get(queue_url()).status_code == 404
    assert client.get(mark_url(marked)).status_code == 404
    assert client.post(mark_url(marked), {"score": "2"}).status_code == 404
    assert not ManualMark.objects.exists()
    client.force_login(instructor)
    assert client.get(queue_url()).status_code == 200
    assert client.get(mark_url(marked)).status_code == 200


@pytest.mark.django_db
def test_the_course_page_links_to_the_queue(client, instructor, course):
    client.force_login(instructor)
    page = client.get(reverse("frontend:instructor-course", kwargs={"course_slug": "nndl"}))
    assert queue_url() in page.content.decode()


@pytest.mark.django_db
def test_queue_lists_latest_answers_oldest_first_with_counts_and_a_filter(
    client, instructor, student, other_student, course, short_question, demo_question, practice
):
    first = answer(practice, student, "an older answer")
    latest = answer(practice, student, "alice's latest")
    bobs = exam_services.attempt_start_question(
        student=other_student, course=course, question=short_question
    )
    bob = answer(bobs, other_student, "bob's answer")
    client.force_login(instructor)

    page = client.get(queue_url())

    items = page.context["items"]
    order = [(item.submission.pk, item.part.label) for item, _, _ in items]
    text_parts = [TEXT_PART]  # the free-text parts answered; blank ones are unanswered
    assert order == [(latest.pk, label) for label in text_parts] + [
        (bob.pk, label) for label in text_parts
    ]
    assert first.pk not in {pk for pk, _ in order}  # superseded
    assert [(q.slug, n) for q, n in page.context["counts"]] == [(SHORT_SLUG, 2 * len(text_parts))]
    assert page.context["items"][0][1] == mark_url(latest, text_parts[0])
    filtered = client.get(queue_url(demo_question.slug))
    assert filtered.status_code == 200 and filtered.context["items"] == []
    assert client.get(queue_url("no-such-question")).status_code == 404


@pytest.mark.django_db
def test_marking_page_shows_the_answer_escaped_beside_model_answer_and_rubric(
    client, instructor, student, practice
):
    submission = answer(practice, student, "<script>alert(1)</script>\nsecond line")
    client.force_login(instructor)

    html = client.get(mark_url(submission)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html
    assert "<script>alert(1)" not in html
    part = submission.variant.version.parts.get(label=TEXT_PART)
    assert "identical neurons get identical gradients" in part.rubric
    assert "identical neurons get identical gradients" in html  # the rubric
    assert "Xavier or Kaiming" in html  # the model answer
    assert "Save and next" in html and "Skip" in html
    assert 'step="0.5"' in html and 'max="2' in html


@pytest.mark.django_db
def test_save_and_next_stores_the_mark_and_opens_the_next_part(
    client, instructor, student, practice
):
    marked = answer(practice, student, more_data="More data would help.")
    client.force_login(instructor)

    response = client.post(mark_url(marked), {"score": "1.5", "comment": "Say why."})

    assert response.status_code == 302
    assert response["Location"] == mark_url(marked, "more_data")
    part = Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]
    assert part["score"] == 1.5 and "Say why." in part["feedback"]
    follow = client.get(response["Location"])
    assert "Saved 1.5 / 2" in follow.content.decode()
    queue = client.get(queue_url())
    assert TEXT_PART not in [item.part.label for item, *_ in queue.context["items"]]


@pytest.mark.django_db
def test_a_bad_mark_is_explained_next_to_the_field(client, instructor, marked):
    client.force_login(instructor)
    for score, message in [
        ("3", "The part is worth 2 marks"),
        ("0.3", "steps of 0.5"),
        ("", "Enter a mark."),
    ]:
        response = client.post(mark_url(marked), {"score": score})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ManualMark.objects.exists()


@pytest.mark.django_db
def test_two_instructors_never_overwrite_each_other_silently(
    client, instructor, make_user, course, marked
):
    from exams.models import Membership

    colleague = make_user("colleague")
    Membership.objects.create(course=course, user=colleague, role=Membership.Role.INSTRUCTOR)
    client.force_login(colleague)
    client.post(mark_url(marked), {"score": "2", "expected_mark": ""})
    client.force_login(instructor)

    response = client.post(mark_url(marked), {"score": "0", "expected_mark": ""})

    assert response.status_code == 409
    body = response.content.decode()
    assert "marked meanwhile" in body and "colleague gave it 2" in body
    assert Submission.objects.get(pk=marked.pk).feedback[TEXT_PART]["score"] == 2.0
    current = ManualMark.objects.get(current=True)
    assert f'value="{current.pk}"' in body  # saving again now replaces it knowingly
    again = client.post(mark_url(marked), {"score": "0", "expected_mark": str(current.pk)})
    assert again.status_code == 302


@pytest.mark.django_db
def test_a_superseded_answer_says_so_and_offers_no_form(client, instructor, student, practice):
    older = answer(practice, student, "first")
    answer(practice, student, "second")
    client.force_login(instructor)
    html = client.get(mark_url(older)).content.decode()
    assert "Superseded" in html and "Save and next" not in html
    assert client.post(mark_url(older), {"score": "1"}).status_code == 409


@pytest.mark.django_db
def test_instructors_may_mark_during_an_open_exam_and_the_student_sees_it_after(
    client, api_for, instructor, student, short_paper
):
    attempt = exam_services.attempt_start_paper(student=student, paper=short_paper, mode="exam")
    submission = answer(attempt, student)
    client.force_login(instructor)
    assert [i.submission.pk for i, _, _ in client.get(queue_url()).context["items"]][
        0
    ] == submission.pk

    assert client.post(mark_url(submission), {"score": "2", "comment": "Good."}).status_code == 302

    url = f"/api/v1/submissions/{submission.pk}/"
    hidden = api_for(student).get(url).json()
    assert hidden["score"] is None and hidden["feedback"] == {}
    exam_services.attempt_finish(attempt=attempt, student=student)
    shown = api_for(student).get(url).json()
    assert shown["feedback"][TEXT_PART]["score"] == 2.0
    assert shown["feedback"][TEXT_PART]["marked_by"]["source"] == "instructor"
    assert "Good." in shown["feedback"][TEXT_PART]["feedback"]

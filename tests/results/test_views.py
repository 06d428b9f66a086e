"""The results pages: only the course's instructors, filters with errors beside the fields, the
plot and tables, a student's attempts, and a bounded number of queries for many submissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from exams import services
from exams.models import Attempt, Course, Membership, Submission
from tests.results.world import part, question_attempt, submit


def _urls(course, paper, student):
    question = course.questions.get().slug
    return [
        reverse("results:index", args=[course.slug]),
        reverse("results:paper", args=[course.slug, paper.slug]),
        reverse("results:question", args=[course.slug, question]),
        reverse("results:paper-question", args=[course.slug, paper.slug, question]),
        reverse("results:student", args=[course.slug, student.pk]),
    ]


@pytest.fixture
def marked(course, student, other_student):
    """Two marked practice attempts: alice gets y right, bob gets both wrong with "4.1"."""
    submit(
        question_attempt(course, student),
        answers={"y": "3.80", "loss": "9"},
        feedback={"y": part(1, "correct"), "loss": part(0, "incorrect", mistakes=("squared",))},
    )
    submit(
        question_attempt(course, other_student),
        answers={"y": "4.1", "loss": "9"},
        feedback={"y": part(0, "incorrect"), "loss": part(0, "incorrect")},
    )


@pytest.mark.django_db
def test_only_the_courses_instructors_see_the_results(
    client, course, student, instructor, make_user, make_paper
):
    paper = make_paper()
    urls = _urls(course, paper, student)
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(student)
    for url in urls:
        assert client.get(url).status_code == 404
    elsewhere = make_user("other-prof")
    other = Course.objects.create(slug="other", title="Other")
    Membership.objects.create(course=other, user=elsewhere, role=Membership.Role.INSTRUCTOR)
    client.force_login(elsewhere)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(instructor)
    for url in urls:
        assert client.get(url).status_code == 200
    assert (
        client.get(reverse("results:student", args=[course.slug, elsewhere.pk])).status_code == 404
    )
    assert (
        client.get(reverse("results:question", args=[course.slug, "no-such-question"])).status_code
        == 404
    )


@pytest.mark.django_db
def test_question_page_shows_the_plot_tables_and_wrong_answers(client, course, instructor, marked):
    client.force_login(instructor)
    page = client.get(reverse("results:question", args=[course.slug, course.questions.get().slug]))
    html = page.content.decode()
    assert 'class="chart"' in html
    assert "Submissions per band" in html
    assert "Part (a)" in html and "Part (b)" in html
    assert "<code>4.1</code>" in html
    assert "squared" in html
    assert "latest" in html  # says which submissions count


@pytest.mark.django_db
def test_bad_filters_are_shown_next_to_their_fields(client, course, instructor, marked):
    client.force_login(instructor)
    url = reverse("results:question", args=[course.slug, course.questions.get().slug])
    page = client.get(url, {"from": "2026-13-45", "to": "yesterday", "student": "mallory"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Enter a date as YYYY-MM-DD") == 2
    assert "No such student in this course" in html
    assert 'class="chart"' not in html
    extremes = client.get(url, {"from": "0001-01-01", "to": "9999-12-31"})
    assert extremes.content.decode().count("Enter a date between 1970-01-01") == 2
    reversed_dates = client.get(url, {"from": "2026-03-09", "to": "2026-03-01"})
    assert "The end date is before the start date" in reversed_dates.content.decode()


@pytest.mark.django_db
def test_filtering_by_student_and_date(client, course, instructor, other_student, marked):
    client.force_login(instructor)
    url = reverse("results:question", args=[course.slug, course.questions.get().slug])
    bob_only = client.get(url, {"student": other_student.username}).context["results"]
    assert bob_only.scores == [0.0]
    today = timezone.localdate().isoformat()
    assert client.get(url, {"from": today, "to": today}).context["results"].marked == 2
    assert client.get(url, {"to": "2000-01-01"}).context["results"].marked == 0


@pytest.mark.django_db
def test_a_students_attempts_with_answers_marks_and_feedback(
    client, course, instructor, other_student, marked
):
    client.force_login(instructor)
    html = client.get(reverse("results:student", args=[course.slug, other_student.pk])).content
    html = html.decode()
    assert "4.1" in html
    assert "(a)" in html and "(b)" in html
    assert "Score <strong>0 / 2</strong>" in html
    assert reverse("frontend:attempt", args=[Attempt.objects.get(student=other_student).pk]) in html


@pytest.mark.django_db
def test_exam_marks_show_while_the_sitting_is_open(client, course, student, instructor, make_paper):
    paper = make_paper(minutes=60)
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    submit(
        sitting,
        question=course.questions.get(),
        answers={"y": "1", "loss": "1"},
        feedback={"y": part(1, "correct"), "loss": part(1, "correct")},
    )
    client.force_login(instructor)
    results = client.get(reverse("results:paper", args=[course.slug, paper.slug])).context[
        "results"
    ]
    assert results.totals == [2.0]


@pytest.mark.django_db
def test_pages_take_a_bounded_number_of_queries_for_many_submissions(
    client, course, student, other_student, instructor, make_paper, django_assert_max_num_queries
):
    paper = make_paper(minutes=None)
    question = course.questions.get()
    template = question_attempt(course, student)
    variant = services.attempt_variant(attempt=template)
    now = timezone.now()
    rows = []
    for number in range(2, 122):
        who = student if number % 2 else other_student
        attempt = Attempt.objects.create(
            student=who,
            course=course,
            paper=paper if number % 3 else None,
            question=None if number % 3 else question,
            number=number,
        )
        for tries in range(2):
            y = 1.0 if (number + tries) % 4 == 0 else 0.0
            rows.append(
                Submission(
                    attempt=attempt,
                    variant=variant,
                    student=who,
                    answers={"y": f"{number % 7}", "loss": "1"},
                    status=Submission.Status.GRADED,
                    score=Decimal(str(y)),
                    max_score=Decimal("2"),
                    feedback={
                        "y": part(y, "correct" if y else "incorrect"),
                        "loss": part(0, "incorrect"),
                    },
                    graded_at=now,
                )
            )
    Submission.objects.bulk_create(rows)
    client.force_login(instructor)
    for url in _urls(course, paper, student):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
    paper_page = client.get(reverse("results:paper", args=[course.slug, paper.slug]))
    assert len(paper_page.context["results"].totals) == 80


@pytest.mark.django_db
def test_answers_on_original_numbers_hide_while_another_courses_exam_shows_them(
    client, course, student, instructor, make_user, demo_question, make_paper
):
    ours = make_paper("Original numbers", minutes=None, original=True)
    practice = services.attempt_start_paper(student=student, paper=ours, mode="practice")
    submit(
        practice,
        question=demo_question,
        answers={"y": "3.80", "loss": "7.77"},
        feedback={"y": part(1, "correct"), "loss": part(0, "incorrect")},
    )
    other = Course.objects.create(slug="elsewhere", title="Elsewhere")
    other.questions.add(demo_question)
    sitter = make_user("carol")
    Membership.objects.create(course=other, user=sitter, role=Membership.Role.STUDENT)
    theirs = services.paper_create(
        course=other,
        title="Their exam",
        time_limit_minutes=60,
        use_original_numbers=True,
        items=[(demo_question, Decimal("2"))],
    )
    client.force_login(instructor)
    student_page = reverse("results:student", args=[course.slug, student.pk])
    question_page = reverse("results:question", args=[course.slug, demo_question.slug])
    assert "3.80" in client.get(student_page).content.decode()
    assert "7.77" in client.get(question_page).content.decode()

    services.attempt_start_paper(student=sitter, paper=theirs, mode="exam")

    shown = client.get(student_page).content.decode()
    assert "3.80" not in shown and "hidden here until every sitting" in shown
    listed = client.get(question_page)
    assert "7.77" not in listed.content.decode()
    assert listed.context["results"].scores == [1.0]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1e999999", "1e400", "NaN", "Infinity", "-0", "9" * 40])
def test_absurd_filter_values_are_never_a_500(
    client, course, student, instructor, make_paper, marked, value
):
    paper = make_paper()
    client.force_login(instructor)
    for url in _urls(course, paper, student):
        response = client.get(url, {"student": value, "from": value, "to": value, "page": value})
        assert response.status_code < 500, url

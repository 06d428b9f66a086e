"""Papers: practice and exam modes, original numbers, retired variants, instructor pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exams import selectors, services
from exams.errors import ApplicationError
from exams.models import Attempt, Paper, Submission


@pytest.fixture
def paper(course, demo_question) -> Paper:
    return services.paper_create(
        course=course,
        title="Mock exam",
        time_limit_minutes=30,
        use_original_numbers=False,
        items=[(demo_question, Decimal("10"))],
    )


def _right_answers(variant) -> dict[str, str]:
    return {k: f"{v:.2f}" for k, v in variant.reference["exact"].items()}


@pytest.mark.django_db
def test_exam_mode_gives_one_attempt_and_hides_marks_until_finished(
    paper, student, demo_question, api_for
):
    attempt = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    assert services.attempt_start_paper(student=student, paper=paper, mode="exam") == attempt
    variant = services.attempt_variant(attempt=attempt, question=demo_question)
    submission = services.submission_create(
        attempt=attempt, student=student, answers=_right_answers(variant), question=demo_question
    )
    services.submission_grade(submission_id=submission.pk)
    api = api_for(student)
    hidden = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert hidden["status"] == "graded"
    assert hidden["score"] is None and hidden["feedback"] == {}
    assert "solution_html" not in hidden

    services.attempt_finish(attempt=attempt, student=student)
    shown = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert shown["score"] == 2.0 and "solution_html" in shown
    assert selectors.paper_attempt_score(attempt=attempt) == (10.0, 10.0)


@pytest.mark.django_db
def test_exam_closes_at_its_time_limit(paper, student, demo_question):
    attempt = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(hours=1))
    attempt.refresh_from_db()
    variant = services.attempt_variant(attempt=attempt, question=demo_question)
    with pytest.raises(ApplicationError, match="exam sitting is closed") as closed:
        services.submission_create(
            attempt=attempt,
            student=student,
            answers=_right_answers(variant),
            question=demo_question,
        )
    assert "new attempt" not in closed.value.message  # a sitting cannot be restarted
    assert services.attempt_start_paper(student=student, paper=paper, mode="exam") == attempt
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_practice_papers_can_be_repeated_with_new_variants(paper, student, demo_question):
    first = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    second = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    assert (first.number, second.number) == (1, 2)
    one = services.attempt_variant(attempt=first, question=demo_question)
    two = services.attempt_variant(attempt=second, question=demo_question)
    assert one.seed != two.seed


@pytest.mark.django_db
def test_original_numbers_paper_gives_everyone_the_paper_variant(
    course, student, other_student, demo_question, make_paper
):
    paper = make_paper("Original", minutes=None, original=True)
    variants = {
        services.attempt_variant(
            attempt=services.attempt_start_paper(student=who, paper=paper, mode="practice"),
            question=demo_question,
        ).pk
        for who in (student, other_student)
    }
    assert len(variants) == 1


@pytest.mark.django_db
def test_a_question_outside_the_paper_is_refused(paper, student, course, demo_question):
    attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    with pytest.raises(ApplicationError, match="question"):
        services.submission_create(attempt=attempt, student=student, answers={})


@pytest.mark.django_db
def test_retired_variant_is_replaced_for_the_student(course, student, demo_question):
    attempt = services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    drawn = services.attempt_variant(attempt=attempt)
    services.variant_retire(variant=drawn)
    replacement = services.attempt_variant(attempt=attempt)
    assert replacement.pk != drawn.pk and not replacement.retired


@pytest.mark.django_db
def test_paper_assembly_rejects_bad_input_with_messages(course, demo_question):
    with pytest.raises(ApplicationError, match="at least one question"):
        services.paper_create(
            course=course, title="x", time_limit_minutes=None, use_original_numbers=False, items=[]
        )
    with pytest.raises(ApplicationError, match="positive marks"):
        services.paper_create(
            course=course,
            title="x",
            time_limit_minutes=None,
            use_original_numbers=False,
            items=[(demo_question, Decimal("0"))],
        )


@pytest.mark.django_db
def test_instructor_pages_show_answers_only_to_instructors(
    client, course, instructor, student, demo_question
):
    url = f"/instructor/courses/{course.slug}/questions/{demo_question.slug}/?paper=1"
    client.force_login(student)
    assert client.get(url).status_code == 404
    client.force_login(instructor)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Worked solution" in page.content and b"Reference answer" in page.content


@pytest.mark.django_db
def test_instructor_assembles_a_paper_in_the_browser(client, course, instructor, demo_question):
    client.force_login(instructor)
    response = client.post(
        f"/instructor/courses/{course.slug}/papers/new/",
        {
            "title": "Week 3 quiz",
            "time_limit_minutes": "20",
            f"order_{demo_question.slug}": "1",
            f"marks_{demo_question.slug}": "4",
        },
    )
    assert response.status_code == 302
    paper = Paper.objects.get(title="Week 3 quiz")
    assert paper.time_limit_minutes == 20
    assert [(i.question.slug, i.marks) for i in paper.items.all()] == [
        (demo_question.slug, Decimal("4.00"))
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit_minutes", "99999999999999999999", "time limit"),
        ("time_limit_minutes", "0", "time limit"),
        ("marks_demo-linear-neuron", "nan", "positive marks"),
        ("marks_demo-linear-neuron", "1e308", "positive marks"),
        ("marks_demo-linear-neuron", "2.125", "positive marks"),
        ("title", "x" * 5000, "at most 300 characters"),
    ],
)
def test_the_paper_form_refuses_values_the_database_cannot_hold(
    client, course, instructor, field, value, message
):
    """A fresh-eyes run got 500s for a huge time limit and for 'nan' marks."""
    client.force_login(instructor)
    form = {
        "title": "Mock",
        "time_limit_minutes": "30",
        "order_demo-linear-neuron": "1",
        "marks_demo-linear-neuron": "2",
        field: value,
    }
    response = client.post(f"/instructor/courses/{course.slug}/papers/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not course.papers.exists()

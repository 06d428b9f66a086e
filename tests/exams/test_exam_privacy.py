"""Exams stay private: a variant seen in an open exam is reachable nowhere else until the
exam's results are released (no sitting showing it is still open)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from exams import services
from exams.errors import ApplicationError
from exams.models import Attempt, Course, Membership, Paper, Submission
from exams.presentation import solution_public, variant_public
from exams.seeding import variant_seed


def _paper(course: Course, question, *, original: bool, title: str = "Mock exam") -> Paper:
    return services.paper_create(
        course=course,
        title=title,
        time_limit_minutes=30,
        use_original_numbers=original,
        items=[(question, Decimal("2"))],
    )


def _answers(variant) -> dict[str, str]:
    return {label: f"{value:.2f}" for label, value in variant.reference["exact"].items()}


def _graded(attempt: Attempt, student, question) -> Submission:
    variant = services.attempt_variant(attempt=attempt, question=question)
    submission = services.submission_create(
        attempt=attempt, student=student, answers=_answers(variant), question=question
    )
    return services.submission_grade(submission_id=submission.pk)


@pytest.fixture
def third_student(make_user, course):
    user = make_user("carol")
    Membership.objects.create(course=course, user=user, role=Membership.Role.STUDENT)
    return user


# --- random variants: an exam sitting never shares its variant with practice ---------------


@pytest.mark.django_db
def test_exam_and_practice_attempts_of_a_student_never_share_a_variant(
    course, student, demo_question
):
    paper = _paper(course, demo_question, original=False)
    practice_before = [
        services.attempt_start_question(student=student, course=course, question=demo_question)
        for _ in range(2)
    ]
    exam = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    practice_after = [
        services.attempt_start_question(student=student, course=course, question=demo_question)
        for _ in range(2)
    ] + [services.attempt_start_paper(student=student, paper=paper, mode="practice")]
    exam_variant = services.attempt_variant(attempt=exam, question=demo_question)
    practice_variants = [
        services.attempt_variant(attempt=attempt, question=demo_question)
        for attempt in practice_before + practice_after
    ]
    # the exam and a practice attempt both numbered 1: the attempt's identity seeds them
    assert exam.number == practice_before[0].number == 1
    assert exam_variant.seed not in {variant.seed for variant in practice_variants}
    assert exam_variant.statement_md not in {v.statement_md for v in practice_variants}
    assert len({variant.pk for variant in practice_variants}) == len(practice_variants)


@pytest.mark.django_db
def test_two_students_sitting_the_same_exam_get_their_own_variants(
    course, student, other_student, demo_question
):
    paper = _paper(course, demo_question, original=False)
    mine, theirs = (
        services.attempt_variant(
            attempt=services.attempt_start_paper(student=who, paper=paper, mode="exam"),
            question=demo_question,
        )
        for who in (student, other_student)
    )
    assert mine.pk != theirs.pk


@pytest.mark.django_db
def test_a_student_mid_exam_reaches_the_exam_variant_by_no_other_path(
    client, course, student, demo_question, api_for
):
    paper = _paper(course, demo_question, original=False)
    exam = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    exam_variant = services.attempt_variant(attempt=exam, question=demo_question)
    exam_statement = variant_public(exam_variant)["statement_html"]
    submission = _graded(exam, student, demo_question)
    api = api_for(student)

    started = api.post("/api/v1/attempts/", {"question": demo_question.slug}, format="json")
    assert started.status_code == 201
    assert exam_variant.statement_md not in str(started.json())

    client.force_login(student)
    page = client.post(
        f"/courses/{course.slug}/questions/{demo_question.slug}/new/", follow=True
    ).content.decode()
    assert exam_statement not in page
    page = client.post(
        f"/courses/{course.slug}/papers/{paper.slug}/start/", {"mode": "practice"}, follow=True
    ).content.decode()
    assert "Attempt 2 · practice" in page  # the exam was the paper's attempt 1
    assert exam_statement not in page

    # the exam itself, while open: statement yes, marks and worked solution no
    during = api.get(f"/api/v1/attempts/{exam.pk}/").json()
    state = during["questions"][0]["state"]
    assert state["solution_status"] == "after_finish" and "solution_html" not in state
    result = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert result["score"] is None and "solution_html" not in result
    refused = api.post(
        f"/api/v1/attempts/{exam.pk}/solution/", {"question": demo_question.slug}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "exam_open"
    exam_page = client.get(f"/attempts/{exam.pk}/").content.decode()
    assert "Worked solution for your numbers" in exam_page  # the hidden, empty section
    assert solution_public(exam_variant)["solution_html"] not in exam_page

    # the instructor preview of the exam's numbers is for instructors only
    assert (
        client.get(
            f"/instructor/courses/{course.slug}/questions/{demo_question.slug}/?seed={exam_variant.seed}"
        ).status_code
        == 404
    )
    assert client.get(f"/instructor/courses/{course.slug}/variants/").status_code == 404
    assert Attempt.objects.filter(student=student, mode="exam").count() == 1


@pytest.mark.django_db
def test_another_student_cannot_reach_an_exam_attempt(
    course, student, other_student, demo_question, api_for
):
    paper = _paper(course, demo_question, original=False)
    exam = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    submission = _graded(exam, student, demo_question)
    api = api_for(other_student)
    assert api.get(f"/api/v1/attempts/{exam.pk}/").status_code == 404
    assert api.get(f"/api/v1/submissions/{submission.pk}/").status_code == 404
    assert api.post(f"/api/v1/attempts/{exam.pk}/solution/", {}).status_code == 404
    ran = api.post(
        f"/api/v1/attempts/{exam.pk}/run-tests/",
        {"question": demo_question.slug, "part": "y", "source": "x"},
        format="json",
    )
    assert ran.status_code == 404


# --- original exam numbers: no practice and no worked solution while a sitting is open ------


@pytest.fixture
def original(course, demo_question) -> Paper:
    return _paper(course, demo_question, original=True, title="Original numbers")


@pytest.mark.django_db
def test_practice_of_an_original_numbers_paper_is_refused_while_a_sitting_is_open(
    client, course, original, student, other_student, demo_question
):
    sitting = services.attempt_start_paper(student=student, paper=original, mode="exam")
    services.attempt_variant(attempt=sitting, question=demo_question)
    with pytest.raises(ApplicationError) as refused:
        services.attempt_start_paper(student=other_student, paper=original, mode="practice")
    assert refused.value.status == 409 and refused.value.code == "exam_in_progress"

    client.force_login(other_student)
    page = client.post(
        f"/courses/{course.slug}/papers/{original.slug}/start/", {"mode": "practice"}
    )
    assert page.status_code == 409
    assert "exam that is in progress" in page.content.decode()
    # the student sitting it cannot practise it either
    with pytest.raises(ApplicationError, match="in progress"):
        services.attempt_start_paper(student=student, paper=original, mode="practice")
    assert not Attempt.objects.filter(mode="practice").exists()

    # the same question on new numbers stays open to practise
    practice = services.attempt_start_question(
        student=other_student, course=course, question=demo_question
    )
    assert not services.attempt_variant(attempt=practice).is_paper


@pytest.mark.django_db
def test_another_original_numbers_paper_with_the_question_is_refused_too(
    course, original, student, other_student, demo_question
):
    other_paper = _paper(course, demo_question, original=True, title="Revision set")
    services.attempt_start_paper(student=student, paper=original, mode="exam")
    with pytest.raises(ApplicationError, match="in progress"):
        services.attempt_start_paper(student=other_student, paper=other_paper, mode="practice")


@pytest.mark.django_db
def test_a_practice_attempt_started_before_the_exam_is_closed_on_every_path(
    client, course, original, student, other_student, demo_question, api_for
):
    practice = services.attempt_start_paper(student=other_student, paper=original, mode="practice")
    submission = _graded(practice, other_student, demo_question)
    services.solution_reveal(attempt=practice, student=other_student, question=demo_question)
    api = api_for(other_student)
    assert "solution_html" in api.get(f"/api/v1/submissions/{submission.pk}/").json()

    services.attempt_start_paper(student=student, paper=original, mode="exam")

    detail = api.get(f"/api/v1/attempts/{practice.pk}/")
    assert detail.status_code == 409
    assert detail.json()["error"]["code"] == "exam_in_progress"
    result = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert "solution_html" not in result and result["solution_status"] == "after_all_sittings"
    assert not result["results_visible"]
    assert result["score"] is None and result["feedback"] == {}
    body = {"question": demo_question.slug, "answers": {"y": "1", "loss": "1"}}
    posted = api.post(f"/api/v1/attempts/{practice.pk}/submissions/", body, format="json")
    assert posted.status_code == 409
    ran = api.post(
        f"/api/v1/attempts/{practice.pk}/run-tests/",
        {"question": demo_question.slug, "part": "y", "source": "x"},
        format="json",
    )
    assert ran.status_code == 409
    revealed = api.post(
        f"/api/v1/attempts/{practice.pk}/solution/", {"question": demo_question.slug}
    )
    assert revealed.status_code == 409
    client.force_login(other_student)
    page = client.get(f"/attempts/{practice.pk}/")
    assert page.status_code == 409 and "exam that is in progress" in page.content.decode()
    assert Submission.objects.filter(attempt=practice).count() == 1


@pytest.mark.django_db
def test_a_closed_sitting_sees_marks_but_the_solution_waits_for_every_sitting(
    client, course, original, student, other_student, demo_question, api_for, instructor
):
    mine = services.attempt_start_paper(student=student, paper=original, mode="exam")
    submission = _graded(mine, student, demo_question)
    theirs = services.attempt_start_paper(student=other_student, paper=original, mode="exam")
    services.attempt_variant(attempt=theirs, question=demo_question)
    services.attempt_finish(attempt=mine, student=student)
    api = api_for(student)

    result = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert result["score"] == 2.0 and result["feedback"]
    assert "solution_html" not in result and "model_answers" not in result
    assert result["solution_status"] == "after_all_sittings"
    assert "every sitting has closed" in result["solution_note"]
    refused = api.post(f"/api/v1/attempts/{mine.pk}/solution/", {"question": demo_question.slug})
    assert refused.status_code == 409 and "every sitting" in refused.json()["error"]["message"]
    client.force_login(student)
    page = client.get(f"/attempts/{mine.pk}/").content.decode()
    assert "score 2.0 / 2.0" in page and "every sitting has closed" in page
    assert 'class="solution" hidden' in page

    # instructors still preview the original numbers with their solution
    client.force_login(instructor)
    preview = client.get(
        f"/instructor/courses/{course.slug}/questions/{demo_question.slug}/?paper=1"
    )
    assert preview.status_code == 200 and b"Worked solution" in preview.content

    # the last sitting runs out of time: results are released
    Attempt.objects.filter(pk=theirs.pk).update(started_at=timezone.now() - timedelta(hours=1))
    released = api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert released["solution_status"] == "shown" and released["solution_html"]
    practice = services.attempt_start_paper(student=other_student, paper=original, mode="practice")
    assert services.attempt_variant(attempt=practice, question=demo_question).is_paper


@pytest.mark.django_db
def test_results_are_released_when_every_sitting_is_finished(
    course, original, student, other_student, third_student, demo_question
):
    sittings = [
        services.attempt_start_paper(student=who, paper=original, mode="exam")
        for who in (student, other_student)
    ]
    for sitting, who in zip(sittings, (student, other_student), strict=True):
        services.attempt_variant(attempt=sitting, question=demo_question)
        services.attempt_finish(attempt=sitting, student=who)
    practice = services.attempt_start_paper(student=third_student, paper=original, mode="practice")
    assert services.attempt_variant(attempt=practice, question=demo_question).is_paper


@pytest.fixture
def elsewhere(make_user, demo_question) -> tuple[Course, object]:
    """Another course holding the same bank question, taught by `dave`."""
    other = Course.objects.create(slug="other", title="Other course")
    other.questions.add(demo_question)
    teacher = make_user("dave")
    Membership.objects.create(course=other, user=teacher, role=Membership.Role.INSTRUCTOR)
    return other, teacher


@pytest.mark.django_db
def test_an_open_sitting_in_another_course_locks_the_original_numbers_here_too(
    course, original, student, other_student, demo_question, elsewhere
):
    other, _teacher = elsewhere
    Membership.objects.create(course=other, user=student, role=Membership.Role.STUDENT)
    sitting = services.attempt_start_paper(
        student=student, paper=_paper(other, demo_question, original=True), mode="exam"
    )
    with pytest.raises(ApplicationError) as refused:
        services.attempt_start_paper(student=other_student, paper=original, mode="practice")
    assert refused.value.status == 409 and refused.value.code == "exam_in_progress"

    services.attempt_finish(attempt=sitting, student=student)
    practice = services.attempt_start_paper(student=other_student, paper=original, mode="practice")
    assert services.attempt_variant(attempt=practice, question=demo_question).is_paper


def _preview(client, course: Course, question, suffix: str = "?paper=1"):  # noqa: ANN001
    return client.get(f"/instructor/courses/{course.slug}/questions/{question.slug}/{suffix}")


@pytest.mark.django_db
def test_instructors_of_another_course_cannot_preview_original_numbers_during_an_exam(
    client, course, original, student, instructor, demo_question, elsewhere
):
    other, teacher = elsewhere
    sitting = services.attempt_start_paper(student=student, paper=original, mode="exam")
    exam_variant = services.attempt_variant(attempt=sitting, question=demo_question)
    client.force_login(teacher)
    before = _preview(client, other, demo_question)
    assert before.status_code == 409
    body = before.content.decode()
    assert "in progress in another course" in body
    assert exam_variant.statement_md[:60] not in body
    assert _preview(client, other, demo_question, "?seed=3").status_code == 200

    # the paper variant of the other course (if it holds one) is not shown on the retire page
    variant = services.variant_get_or_build(
        course=other, version=demo_question.current_version, paper=True
    )
    retire_page = client.get(f"/instructor/courses/{other.slug}/variants/{variant.pk}/retire/")
    assert retire_page.status_code == 409

    # the exam's own instructors keep their preview
    client.force_login(instructor)
    assert _preview(client, course, demo_question).status_code == 200
    assert services.original_numbers_check_visible(question=demo_question, user=instructor) is None

    # released once the sitting has closed
    services.attempt_finish(attempt=sitting, student=student)
    client.force_login(teacher)
    after = _preview(client, other, demo_question)
    assert after.status_code == 200 and b"Worked solution" in after.content


def test_seeds_cannot_be_computed_from_the_attempt_id_alone(settings):
    settings.SECRET_KEY = "one server"
    first = variant_seed(attempt_id=7, question_slug="demo-linear-neuron")
    assert first == variant_seed(attempt_id=7, question_slug="demo-linear-neuron")
    assert first != variant_seed(attempt_id=8, question_slug="demo-linear-neuron")
    assert first != variant_seed(attempt_id=7, question_slug="demo-linear-neuron", draw=1)
    settings.SECRET_KEY = "another server"
    assert first != variant_seed(attempt_id=7, question_slug="demo-linear-neuron")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_exam_starts_give_one_sitting(course, student, demo_question):
    """Sixteen simultaneous "start exam" requests: one sitting, returned to every request.

    A second open sitting of the same paper would let the marks of one serve as the answer key
    of the other."""
    paper = _paper(course, demo_question, original=True)
    barrier = Barrier(16)

    def start(_: int) -> int:
        barrier.wait()
        try:
            return services.attempt_start_paper(student=student, paper=paper, mode="exam").pk
        finally:
            connection.close()

    with ThreadPoolExecutor(16) as pool:
        sittings = set(pool.map(start, range(16)))
    assert len(sittings) == 1
    assert Attempt.objects.filter(student=student, paper=paper, mode="exam").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_exam_sitting(course, student, demo_question):
    paper = _paper(course, demo_question, original=False)
    first = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            student=student, course=course, paper=paper, number=first.number + 1, mode="exam"
        )
    assert services.attempt_start_paper(student=student, paper=paper, mode="exam") == first


@pytest.mark.django_db
def test_no_new_sitting_on_the_original_numbers_while_another_course_sits_them(
    course, original, student, other_student, demo_question, elsewhere
):
    other, _teacher = elsewhere
    Membership.objects.create(course=other, user=other_student, role=Membership.Role.STUDENT)
    elsewhere_paper = _paper(other, demo_question, original=True)
    sitting = services.attempt_start_paper(student=student, paper=original, mode="exam")
    with pytest.raises(ApplicationError) as refused:
        services.attempt_start_paper(student=other_student, paper=elsewhere_paper, mode="exam")
    assert refused.value.status == 409 and "another course" in refused.value.message
    # this course's own students still start and resume their sittings
    assert services.attempt_start_paper(student=other_student, paper=original, mode="exam")
    assert services.attempt_start_paper(student=student, paper=original, mode="exam") == sitting

    for attempt in Attempt.objects.filter(paper=original):
        services.attempt_finish(attempt=attempt, student=attempt.student)
    started = services.attempt_start_paper(
        student=other_student, paper=elsewhere_paper, mode="exam"
    )
    assert services.attempt_variant(attempt=started, question=demo_question).is_paper

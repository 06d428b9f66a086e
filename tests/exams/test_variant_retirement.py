"""Retiring and restoring variants: confirmed first, never changing what a student answered,
undone by restore, and scoped to the course whose students hold the variant."""

from __future__ import annotations

import pytest

from exams import services
from exams.errors import ApplicationError
from exams.models import Attempt, Course, Membership, Submission, Variant
from exams.presentation import held_variant_state


def _answers(variant) -> dict[str, str]:
    return {label: f"{value:.2f}" for label, value in variant.reference["exact"].items()}


def _answered_practice(course, student, question):
    attempt = services.attempt_start_question(student=student, course=course, question=question)
    variant = services.attempt_variant(attempt=attempt)
    submission = services.submission_create(
        attempt=attempt, student=student, answers=_answers(variant)
    )
    services.submission_grade(submission_id=submission.pk)
    return attempt, variant


@pytest.mark.django_db
def test_a_retired_variant_stays_under_the_student_who_answered_it(
    client, course, student, demo_question, api_for
):
    attempt, variant = _answered_practice(course, student, demo_question)
    services.variant_retire(variant=variant)

    assert services.attempt_variant(attempt=attempt).pk == variant.pk
    api = api_for(student)
    detail = api.get(f"/api/v1/attempts/{attempt.pk}/").json()
    assert detail["questions"][0]["variant"]["statement_md"] == variant.statement_md
    state = detail["questions"][0]["state"]
    assert state["variant_retired"] and not state["answerable"]
    assert any("withdrew this variant; your answers stand" in n for n in state["notices"])
    client.force_login(student)
    page = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "Your instructor withdrew this variant; your answers stand" in page
    assert "Try a new variant" in page and "Submit answers" not in page
    assert "Score: 2 / 2" in page


@pytest.mark.django_db
def test_further_practice_answers_on_a_retired_variant_are_refused_with_a_way_on(
    client, course, student, demo_question, api_for
):
    attempt, variant = _answered_practice(course, student, demo_question)
    services.variant_retire(variant=variant)
    api = api_for(student)
    refused = api.post(
        f"/api/v1/attempts/{attempt.pk}/submissions/",
        {"answers": _answers(variant)},
        format="json",
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "variant_retired" and "new variant" in error["message"]
    client.force_login(student)
    page = client.post(
        f"/attempts/{attempt.pk}/submit/",
        {
            "question": demo_question.slug,
            **{f"answer_{k}": v for k, v in _answers(variant).items()},
        },
        follow=True,
    ).content.decode()
    assert "withdrew this variant" in page
    assert Submission.objects.count() == 1

    fresh = api.post("/api/v1/attempts/", {"question": demo_question.slug}, format="json").json()
    assert fresh["questions"][0]["variant"]["statement_md"] != variant.statement_md
    assert not fresh["questions"][0]["state"]["variant_retired"]


@pytest.mark.django_db
def test_an_exam_sitting_keeps_answering_a_variant_retired_mid_exam(
    course, student, demo_question, make_paper
):
    paper = make_paper("Exam")
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    variant = services.attempt_variant(attempt=sitting, question=demo_question)
    services.submission_create(
        attempt=sitting, student=student, answers=_answers(variant), question=demo_question
    )
    services.variant_retire(variant=variant)
    again = services.submission_create(
        attempt=sitting, student=student, answers=_answers(variant), question=demo_question
    )
    assert again.variant_id == variant.pk
    state = held_variant_state(attempt=sitting, variant=variant)
    assert state["answerable"] and not any("new attempt" in n for n in state["notices"])
    assert any("keep answering" in n for n in state["notices"])


@pytest.mark.django_db
def test_restore_undoes_a_retirement(course, student, demo_question):
    attempt, variant = _answered_practice(course, student, demo_question)
    retired = services.variant_retire(variant=variant)
    assert retired.retired and retired.retired_at is not None
    restored = services.variant_restore(variant=variant)
    variant.refresh_from_db()
    assert (restored.retired, variant.retired, variant.retired_at) == (False, False, None)
    services.submission_create(attempt=attempt, student=student, answers=_answers(variant))
    assert Submission.objects.filter(attempt=attempt).count() == 2


@pytest.mark.django_db
def test_a_retired_original_numbers_variant_is_kept_by_sittings_and_refused_to_new_ones(
    course, student, other_student, demo_question, make_paper
):
    paper = make_paper("Original", original=True)
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    held = services.attempt_variant(attempt=sitting, question=demo_question)
    services.variant_retire(variant=held)
    assert services.attempt_variant(attempt=sitting, question=demo_question).pk == held.pk
    assert services.attempt_start_paper(student=student, paper=paper, mode="exam") == sitting
    with pytest.raises(ApplicationError) as refused:
        services.attempt_start_paper(student=other_student, paper=paper, mode="exam")
    assert refused.value.code == "variants_retired" and "withdrew" in refused.value.message
    services.attempt_finish(attempt=sitting, student=student)  # no sitting open any more
    with pytest.raises(ApplicationError) as refused:
        services.attempt_start_paper(student=other_student, paper=paper, mode="practice")
    assert refused.value.code == "variants_retired"
    # nothing was started: an exam sitting cannot be restarted, so a useless one would trap
    assert not Attempt.objects.filter(student=other_student, paper=paper).exists()
    services.variant_restore(variant=held)
    late = services.attempt_start_paper(student=other_student, paper=paper, mode="exam")
    assert services.attempt_variant(attempt=late, question=demo_question).pk == held.pk


# --- the instructor pages ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_variant_list_shows_what_students_hold_and_how_many_attempts(
    client, course, instructor, student, other_student, demo_question, make_paper
):
    paper = make_paper("Original", minutes=None, original=True)
    for who in (student, other_student):
        attempt = services.attempt_start_paper(student=who, paper=paper, mode="practice")
        services.attempt_variant(attempt=attempt, question=demo_question)
    _, practised = _answered_practice(course, student, demo_question)
    # an instructor's preview builds a variant that no student holds
    services.variant_get_or_build(course=course, version=practised.version, seed=12345)

    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/variants/").content.decode()
    assert "original exam numbers" in page and f"seed {practised.seed}" in page
    assert "seed 12345" not in page
    paper_variant = Variant.objects.get(is_paper=True)
    row = page[page.index(f'id="variant-{paper_variant.pk}"') :].split("</tr>")[0]
    assert "<td>2</td>" in row  # two attempts, two students
    assert f"/variants/{practised.pk}/retire/" in page


@pytest.mark.django_db
def test_retiring_asks_for_confirmation_then_restore_undoes_it(
    client, course, instructor, student, demo_question
):
    _, variant = _answered_practice(course, student, demo_question)
    client.force_login(instructor)
    url = f"/instructor/courses/{course.slug}/variants/{variant.pk}/retire/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert 'name="confirm"' in text and "1 attempt by 1 student holds it" in text
    variant.refresh_from_db()
    assert not variant.retired

    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.content.decode()
    variant.refresh_from_db()
    assert not variant.retired

    done = client.post(url, {"confirm": "on"})
    assert done.status_code == 302
    assert done["Location"] == f"/instructor/courses/{course.slug}/variants/"
    variant.refresh_from_db()
    assert variant.retired
    listing = client.get(done["Location"]).content.decode()
    assert "Restore" in listing

    restored = client.post(f"/instructor/courses/{course.slug}/variants/{variant.pk}/restore/")
    assert restored.status_code == 302
    variant.refresh_from_db()
    assert not variant.retired and variant.retired_at is None


@pytest.mark.django_db
def test_students_cannot_open_the_variant_pages(client, course, student, demo_question):
    _, variant = _answered_practice(course, student, demo_question)
    client.force_login(student)
    base = f"/instructor/courses/{course.slug}/variants/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}{variant.pk}/retire/").status_code == 404
    assert client.post(f"{base}{variant.pk}/retire/", {"confirm": "on"}).status_code == 404
    assert client.post(f"{base}{variant.pk}/restore/").status_code == 404
    variant.refresh_from_db()
    assert not variant.retired


# --- two courses sharing a question ----------------------------------------------------------


@pytest.fixture
def second_course(make_user, demo_question):
    course = Course.objects.create(slug="dl2", title="Deep Learning II")
    course.questions.add(demo_question)
    teacher = make_user("teacher2")
    learner = make_user("dave")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.INSTRUCTOR)
    Membership.objects.create(course=course, user=learner, role=Membership.Role.STUDENT)
    return course, teacher, learner


@pytest.mark.django_db
def test_an_instructor_cannot_see_or_retire_another_courses_variants(
    client, course, student, demo_question, second_course
):
    other, teacher, learner = second_course
    _, mine = _answered_practice(course, student, demo_question)
    _, theirs = _answered_practice(other, learner, demo_question)
    assert (mine.course, theirs.course) == (course, other)

    client.force_login(teacher)
    listing = client.get(f"/instructor/courses/{other.slug}/variants/").content.decode()
    assert f'id="variant-{theirs.pk}"' in listing and f'id="variant-{mine.pk}"' not in listing
    foreign = f"/instructor/courses/{other.slug}/variants/{mine.pk}"
    assert client.get(f"{foreign}/retire/").status_code == 404
    assert client.post(f"{foreign}/retire/", {"confirm": "on"}).status_code == 404
    assert client.post(f"{foreign}/restore/").status_code == 404
    assert client.get(f"/instructor/courses/{course.slug}/variants/").status_code == 404
    assert (
        client.post(
            f"/instructor/courses/{course.slug}/variants/{mine.pk}/retire/", {"confirm": "on"}
        ).status_code
        == 404
    )
    mine.refresh_from_db()
    assert not mine.retired


@pytest.mark.django_db
def test_the_same_seed_in_two_courses_is_two_variants_retired_separately(
    client, course, student, demo_question, second_course
):
    other, teacher, _ = second_course
    _, mine = _answered_practice(course, student, demo_question)
    client.force_login(teacher)
    preview = client.get(
        f"/instructor/courses/{other.slug}/questions/{demo_question.slug}/?seed={mine.seed}"
    )
    assert preview.status_code == 200
    copy = Variant.objects.get(course=other, seed=mine.seed)
    assert copy.pk != mine.pk
    client.post(f"/instructor/courses/{other.slug}/variants/{copy.pk}/retire/", {"confirm": "on"})
    copy.refresh_from_db()
    mine.refresh_from_db()
    assert copy.retired and not mine.retired


@pytest.mark.django_db
def test_another_courses_instructor_cannot_read_its_students_attempts(
    course, student, demo_question, second_course, api_for
):
    _, teacher, _ = second_course
    attempt, _ = _answered_practice(course, student, demo_question)
    submission = attempt.submissions.get()
    api = api_for(teacher)
    assert api.get(f"/api/v1/attempts/{attempt.pk}/").status_code == 404
    assert api.get(f"/api/v1/submissions/{submission.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_retired_variant_nobody_holds_any_more_is_still_listed_to_restore(
    client, course, instructor, student, demo_question
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    drawn = services.attempt_variant(attempt=attempt)
    services.variant_retire(variant=drawn)
    redrawn = services.attempt_variant(attempt=attempt)
    assert redrawn.pk != drawn.pk  # unanswered: the student got fresh numbers

    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/variants/").content.decode()
    assert f'id="variant-{drawn.pk}"' in page
    assert f"/variants/{drawn.pk}/restore/" in page

"""Exam variants prepared ahead of time: one per (enrolled student, question), used by sittings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

import question_engine
from exams import selectors, services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question, Variant, VariantAssignment
from exams.seeding import exam_variant_seed, variant_seed

SECOND = "seed000-q1-multiple-choice"


@pytest.fixture
def two_question_paper(course, demo_question):
    question_sync(definition=question_engine.load_question(django_settings.BANK_ROOT / SECOND))
    second = Question.objects.get(slug=SECOND)
    course.questions.add(second)
    return services.paper_create(
        course=course,
        title="Midterm",
        time_limit_minutes=30,
        use_original_numbers=False,
        items=[(demo_question, Decimal("2")), (second, Decimal("1"))],
    )


@pytest.mark.django_db
def test_preparing_builds_one_variant_per_student_and_question_and_sittings_use_them(
    course, student, other_student, two_question_paper
):
    outcome = services.exam_variants_prepare(paper=two_question_paper)

    assert (outcome.students, outcome.requested, outcome.existing) == (2, 4, 0)
    assert outcome.ready == 4 and outcome.failed == 0
    assert Variant.objects.filter(state=Variant.State.READY).count() == 4
    status = selectors.paper_exam_variants_status(paper=two_question_paper)
    assert status == {
        "ready": 4,
        "building": 0,
        "failed": 0,
        "missing": 0,
        "students": 2,
        "expected": 4,
    }
    again = services.exam_variants_prepare(paper=two_question_paper)
    assert (again.requested, again.existing) == (0, 4)

    sitting = services.attempt_start_paper(
        student=student, paper=two_question_paper, mode=Attempt.Mode.EXAM
    )

    assert Variant.objects.count() == 4
    held = {a.question.slug: a.variant for a in sitting.assignments.select_related("variant")}
    assert set(held) == {"demo-linear-neuron", SECOND}
    assert all(v.pk in outcome.variant_ids and v.is_ready for v in held.values())
    expected = exam_variant_seed(
        student_id=student.pk, paper_id=two_question_paper.pk, question_slug=SECOND
    )
    assert held[SECOND].seed == expected
    others = Variant.objects.exclude(pk__in=[v.pk for v in held.values()])
    assert {v.seed for v in others}.isdisjoint({v.seed for v in held.values()})


@pytest.mark.django_db
def test_practice_seeding_is_unchanged(course, student, two_question_paper):
    practice = services.attempt_start_paper(
        student=student, paper=two_question_paper, mode=Attempt.Mode.PRACTICE
    )
    held = VariantAssignment.objects.get(attempt=practice, question__slug=SECOND).variant
    assert held.seed == variant_seed(attempt_id=practice.pk, question_slug=SECOND)


@pytest.mark.django_db
def test_a_sitting_keeps_the_variant_it_already_holds(
    course, student, other_student, make_paper, demo_question
):
    paper = make_paper()
    sitting = services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.EXAM)
    # An assignment drawn before exam seeds came from (student, paper, question).
    older = services.variant_get_or_build(
        course=course, version=demo_question.current_version, seed=424242
    )
    VariantAssignment.objects.filter(attempt=sitting).update(variant=older)

    outcome = services.exam_variants_prepare(paper=paper)

    assert outcome.requested == 1  # the other student's only
    assert services.attempt_variant(attempt=sitting, question=demo_question).pk == older.pk
    assert selectors.paper_exam_variants_status(paper=paper)["ready"] == 2


@pytest.mark.django_db
def test_original_numbers_papers_prepare_one_paper_variant(
    course, student, other_student, make_paper
):
    paper = make_paper(original=True)
    outcome = services.exam_variants_prepare(paper=paper)
    assert outcome.requested == 1 and Variant.objects.get().is_paper
    assert selectors.paper_exam_variants_status(paper=paper)["ready"] == 2


@pytest.mark.django_db
@pytest.mark.variants_in_background
def test_starting_a_sitting_sends_every_question_s_build_at_once(
    course, student, two_question_paper, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[int] = []
    monkeypatch.setattr(
        "exams.services.variants.variant_build_enqueue",
        lambda *, variant_id: sent.append(variant_id),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sitting = services.attempt_start_paper(
            student=student, paper=two_question_paper, mode=Attempt.Mode.EXAM
        )

    held = list(sitting.assignments.order_by("question__paper_items__order"))
    assert len(held) == 2 and sorted(sent) == sorted(a.variant_id for a in held)
    assert all(a.variant.state == Variant.State.BUILDING for a in held)


@pytest.mark.django_db
def test_the_instructor_prepares_from_the_paper_page(
    course, instructor, student, other_student, make_paper, client
):
    paper = make_paper()
    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/papers/{paper.slug}/")
    assert page.status_code == 200
    assert "Prepare exam variants for every enrolled student" in page.content.decode()

    response = client.post(
        f"/instructor/courses/{course.slug}/papers/{paper.slug}/prepare/", follow=True
    )

    text = response.content.decode()
    assert "Preparing exam variants for 2 students: 2 sent to be built" in text
    assert Variant.objects.filter(state=Variant.State.READY).count() == 2
    client.force_login(student)
    refused = client.post(f"/instructor/courses/{course.slug}/papers/{paper.slug}/prepare/")
    assert refused.status_code == 404 and Variant.objects.count() == 2


@pytest.mark.django_db
def test_prepare_exam_command(course, student, other_student, make_paper, capsys):
    paper = make_paper()
    call_command("prepare_exam", course.slug, paper.slug)
    out = capsys.readouterr().out
    assert "2 variant(s) newly requested" in out and "Ready 2" in out
    with pytest.raises(Exception, match="no paper 'nope'"):
        call_command("prepare_exam", course.slug, "nope")

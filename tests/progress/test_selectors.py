"""A student's progress: scores per attempt, topic, question and paper, as they may see them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Course, Membership, Question, Submission
from exams.presentation import results_visible
from progress.selectors import State, course_progress
from tests.progress.helpers import answered


def _row(progress, attempt):
    return next(row for row in progress.attempts if row.attempt.pk == attempt.pk)


def _start(course, student, question) -> Attempt:
    return services.attempt_start_question(student=student, course=course, question=question)


@pytest.mark.django_db
def test_question_attempts_give_best_and_latest_share_per_question_and_topic(
    course, student, demo_question
):
    first = _start(course, student, demo_question)
    answered(first, student, demo_question, right=2)
    second = _start(course, student, demo_question)
    answered(second, student, demo_question, right=1)

    progress = course_progress(student=student, course=course)

    assert [row.attempt.pk for row in progress.attempts] == [second.pk, first.pk]
    assert (_row(progress, first).score, _row(progress, first).out_of) == (2.0, 2.0)
    assert _row(progress, second).percent == 50
    assert _row(progress, second).state == State.MARKED
    (topic,) = progress.topics
    assert (topic.name, topic.attempts, topic.best, topic.latest) == (
        demo_question.topic,
        2,
        1.0,
        0.5,
    )
    (item,) = progress.questions
    assert (item.status, item.best_percent) == ("marked", 100)
    assert [row.percent for row in progress.scored_attempts] == [100, 50]


@pytest.mark.django_db
def test_unmarked_and_errored_answers_count_as_attempts_but_never_as_a_score(
    course, student, demo_question
):
    pending = _start(course, student, demo_question)
    answered(pending, student, demo_question, grade=False)
    ours = _start(course, student, demo_question)
    failed_ours = answered(ours, student, demo_question, grade=False)
    Submission.objects.filter(pk=failed_ours.pk).update(
        status=Submission.Status.ERROR, failure=Submission.Failure.INFRASTRUCTURE
    )
    broken = _start(course, student, demo_question)
    failed_question = answered(broken, student, demo_question, grade=False)
    Submission.objects.filter(pk=failed_question.pk).update(
        status=Submission.Status.ERROR, failure=Submission.Failure.QUESTION
    )

    progress = course_progress(student=student, course=course)

    assert _row(progress, pending).state == State.BEING_MARKED
    assert _row(progress, ours).state == State.BEING_MARKED
    assert _row(progress, broken).state == State.QUESTION_FAULT
    assert "fault in the question" in _row(progress, broken).note
    assert all(row.score is None for row in progress.attempts)
    (topic,) = progress.topics
    assert (topic.attempts, topic.best, topic.latest) == (3, None, None)
    assert progress.questions[0].status == "in_progress"


@pytest.mark.django_db
def test_a_part_awaiting_manual_marking_shows_a_provisional_score(course, student, demo_question):
    attempt = _start(course, student, demo_question)
    submission = answered(attempt, student, demo_question, right=1)
    feedback = dict(submission.feedback)
    feedback["loss"] = {**feedback["loss"], "status": "needs_manual"}
    Submission.objects.filter(pk=submission.pk).update(feedback=feedback)

    row = _row(course_progress(student=student, course=course), attempt)

    assert (row.state, row.score) == (State.PROVISIONAL, 1.0)
    assert "awaits your instructor" in row.note


@pytest.mark.django_db
def test_an_open_exam_shows_no_marks_anywhere_until_it_closes(
    course, student, demo_question, make_paper
):
    paper = make_paper("Mock exam", minutes=30)
    sitting = services.attempt_start_paper(student=student, paper=paper, mode="exam")
    answered(sitting, student, demo_question, right=2)

    progress = course_progress(student=student, course=course)
    row = _row(progress, sitting)
    assert (row.state, row.score, row.note) == (State.EXAM_OPEN, None, "Marks when you finish.")
    assert progress.paper_aggregates[0].attempts == 1
    assert progress.paper_aggregates[0].best is None
    assert progress.topics[0].best is None
    assert progress.questions[0].best_percent is None
    assert progress.next_step.action == "Resume Mock exam"

    services.attempt_finish(attempt=sitting, student=student)
    progress = course_progress(student=student, course=course)
    assert (_row(progress, sitting).score, _row(progress, sitting).out_of) == (2.0, 2.0)
    assert progress.paper_aggregates[0].best_percent == 100
    assert progress.topics[0].best == 1.0


@pytest.mark.django_db
def test_an_exam_past_its_time_limit_shows_its_marks(course, student, demo_question, make_paper):
    sitting = services.attempt_start_paper(
        student=student, paper=make_paper(minutes=30), mode="exam"
    )
    answered(sitting, student, demo_question, right=1)
    Attempt.objects.filter(pk=sitting.pk).update(started_at=timezone.now() - timedelta(hours=1))

    row = _row(course_progress(student=student, course=course), sitting)

    assert (row.state, row.score, row.closed) == (State.MARKED, 1.0, True)


@pytest.mark.django_db
def test_practice_on_the_original_numbers_is_hidden_while_a_sitting_of_them_is_open(
    course, student, other_student, demo_question, make_paper
):
    paper = make_paper("Original", minutes=30, original=True)
    practice = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    submission = answered(practice, student, demo_question, right=2)
    assert _row(course_progress(student=student, course=course), practice).score == 2.0

    services.attempt_start_paper(student=other_student, paper=paper, mode="exam")
    progress = course_progress(student=student, course=course)

    row = _row(progress, practice)
    assert (row.state, row.score) == (State.AFTER_ALL_SITTINGS, None)
    assert results_visible(Submission.objects.get(pk=submission.pk)) is False
    assert progress.paper_aggregates[0].best is None
    assert progress.topics[0].best is None


@pytest.mark.django_db
def test_visibility_agrees_with_results_visible_for_every_kind_of_attempt(
    course, student, other_student, demo_question, make_paper
):
    """The batched rule and `exams.presentation.results_visible` say the same everywhere."""
    original = make_paper("Original", minutes=30, original=True)
    submissions = [
        answered(_start(course, student, demo_question), student, demo_question),
        answered(
            services.attempt_start_paper(student=student, paper=original, mode="practice"),
            student,
            demo_question,
        ),
        answered(
            services.attempt_start_paper(student=student, paper=make_paper("Timed"), mode="exam"),
            student,
            demo_question,
        ),
    ]
    services.attempt_start_paper(student=other_student, paper=original, mode="exam")

    progress = course_progress(student=student, course=course)

    for submission in submissions:
        row = _row(progress, submission.attempt)
        fresh = Submission.objects.get(pk=submission.pk)
        assert (row.score is not None) == results_visible(fresh), row


@pytest.mark.django_db
def test_next_step_resumes_then_suggests_the_weakest_untried_then_the_weakest_scored(
    course, student, demo_question, make_paper
):
    same_topic = Question.objects.create(
        slug="neuron-two", title="Another neuron", topic=demo_question.topic
    )
    other_topic = Question.objects.create(slug="zeta-q", title="Zeta question", topic="Zeta")
    course.questions.add(same_topic, other_topic)

    assert course_progress(student=student, course=course).next_step.action == (
        "Start A single linear neuron"
    )
    opened = _start(course, student, demo_question)
    step = course_progress(student=student, course=course).next_step
    assert (step.action, step.url) == ("Continue A single linear neuron", f"/attempts/{opened.pk}/")

    answered(_start(course, student, demo_question), student, demo_question, right=1)
    step = course_progress(student=student, course=course).next_step
    assert step.action == "Start Zeta question"
    assert "not practised Zeta" in step.text

    course.questions.remove(other_topic)
    step = course_progress(student=student, course=course).next_step
    assert step.action == "Start Another neuron"
    assert "so far is 50%" in step.text

    course.questions.remove(same_topic)
    step = course_progress(student=student, course=course).next_step
    assert step.action == "Practise A single linear neuron"
    assert step.url == f"/courses/{course.slug}/questions/{demo_question.slug}/"

    practice = services.attempt_start_paper(student=student, paper=make_paper(), mode="practice")
    assert course_progress(student=student, course=course).next_step.url == (
        f"/attempts/{practice.pk}/"
    )


@pytest.mark.django_db
def test_a_question_opened_but_not_answered_is_in_progress_and_resumed(course, student):
    loose = Question.objects.create(slug="loose", title="Loose", topic="")
    course.questions.add(loose)
    opened = Attempt.objects.create(student=student, course=course, question=loose, number=1)

    progress = course_progress(student=student, course=course)

    statuses = {item.obj.slug: (item.status, item.resume_url) for item in progress.questions}
    assert statuses["loose"] == ("in_progress", f"/attempts/{opened.pk}/")
    assert statuses["demo-linear-neuron"] == ("not_started", "")
    assert progress.next_step.action == "Continue Loose"
    assert _row(progress, opened).state == State.NOT_ANSWERED


@pytest.mark.django_db
def test_only_the_students_own_attempts_in_this_course_count(
    course, student, other_student, demo_question
):
    answered(_start(course, other_student, demo_question), other_student, demo_question)
    elsewhere = Course.objects.create(slug="elsewhere", title="Elsewhere")
    elsewhere.questions.add(demo_question)
    Membership.objects.create(course=elsewhere, user=student, role=Membership.Role.STUDENT)
    answered(_start(elsewhere, student, demo_question), student, demo_question)

    progress = course_progress(student=student, course=course)

    assert progress.attempts == []
    assert progress.questions[0].status == "not_started"


@pytest.mark.django_db
def test_many_attempts_take_a_fixed_number_of_queries(
    course, student, other_student, demo_question, make_paper, django_assert_max_num_queries
):
    for _ in range(12):
        answered(_start(course, student, demo_question), student, demo_question, right=1)
    for title in ("Paper A", "Paper B"):
        paper = make_paper(title, original=True)
        for _ in range(3):
            attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
            answered(attempt, student, demo_question)
    services.attempt_start_paper(student=other_student, paper=paper, mode="exam")

    with django_assert_max_num_queries(8):
        progress = course_progress(student=student, course=course)

    assert len(progress.attempts) == 18
    assert {row.state for row in progress.attempts} == {State.MARKED, State.AFTER_ALL_SITTINGS}


@pytest.mark.django_db
def test_a_topic_counts_a_paper_attempt_once_however_many_of_its_questions_it_holds(
    course, student, demo_question
):
    question_sync(
        definition=question_engine.load_question(settings.BANK_ROOT / "seed000-q1-multiple-choice")
    )
    choice = Question.objects.get(slug="seed000-q1-multiple-choice")
    Question.objects.filter(pk=choice.pk).update(topic=demo_question.topic)
    paper = services.paper_create(
        course=course,
        title="Two of a topic",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(demo_question, Decimal("2")), (choice, Decimal("4"))],
    )
    attempt = services.attempt_start_paper(student=student, paper=paper, mode="practice")
    answered(attempt, student, demo_question, right=2)
    variant = services.attempt_variant(attempt=attempt, question=choice)
    wrong = {
        label: "b" if value == "a" else "a" for label, value in variant.reference["exact"].items()
    }
    submission = services.submission_create(
        attempt=attempt, student=student, answers=wrong, question=choice
    )
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.score == 0

    progress = course_progress(student=student, course=course)

    (topic,) = progress.topics
    assert (topic.attempts, topic.best, topic.latest) == (1, 1.0, 0.0)
    row = _row(progress, attempt)
    assert (row.score, row.out_of) == (2.0, 6.0)

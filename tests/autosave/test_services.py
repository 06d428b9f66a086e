"""Autosave drafts, the answers a page shows, and closing timed sittings exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from autosave import selectors, services
from autosave.models import AnswerDraft, SittingClosure
from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Attempt, Submission
from exams.services import submissions as submission_services


def test_a_save_replaces_only_the_parts_it_names(sitting, student, demo_question):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1.5"}
    )
    draft, problems = services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"loss": "0.2"}
    )
    assert draft.answers == {"y": "1.5", "loss": "0.2"}
    assert draft.revision == 2
    assert problems == {}
    draft, _ = services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": ""}
    )
    assert draft.answers == {"y": "", "loss": "0.2"}
    assert AnswerDraft.objects.count() == 1


def test_a_save_reports_parts_that_cannot_be_read_but_not_empty_ones(
    sitting, student, demo_question
):
    _, problems = services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "three", "loss": ""}
    )
    assert set(problems) == {"y"}
    assert "unknown name" in problems["y"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [({"zz": "1"}, "Unknown part label"), ({"y": 3}, "must be text"), ([], "JSON object")],
)
def test_bad_drafts_are_refused_with_a_message(sitting, student, demo_question, answers, expected):
    with pytest.raises(ApplicationError) as raised:
        services.draft_save(
            attempt=sitting, student=student, question=demo_question, answers=answers
        )
    assert raised.value.code == "invalid_answers"
    assert expected in raised.value.message


def test_only_the_attempts_student_saves(sitting, other_student, demo_question):
    with pytest.raises(ApplicationError) as raised:
        services.draft_save(
            attempt=sitting, student=other_student, question=demo_question, answers={"y": "1"}
        )
    assert raised.value.status == 403


def test_practice_attempts_are_autosaved_too(course, student, demo_question):
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    draft, _ = services.draft_save(
        attempt=attempt, student=student, question=demo_question, answers={"y": "2"}
    )
    assert draft.attempt == attempt


def test_grace_period_boundaries(sitting, student, demo_question, age, settings):
    settings.EXAM_GRACE_SECONDS = 30
    age(sitting, 25)  # past the deadline, within the grace
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1"}
    )
    exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": "1", "loss": "1"}, question=demo_question
    )
    age(sitting, 31)
    with pytest.raises(ApplicationError) as raised:
        services.draft_save(
            attempt=sitting, student=student, question=demo_question, answers={"y": "2"}
        )
    assert raised.value.code == "attempt_closed"
    assert "This exam sitting is closed: it closed at" in raised.value.message
    assert raised.value.details["closed_at"] == sitting.deadline.isoformat()


def test_the_page_shows_the_draft_over_the_latest_submission_part_by_part(
    sitting, student, demo_question
):
    latest = exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": "1", "loss": "2"}, question=demo_question
    )
    shown = selectors.answers_to_show(attempt=sitting, question=demo_question, latest=latest)
    assert shown == {"y": "1", "loss": "2"}
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "9"}
    )
    shown = selectors.answers_to_show(attempt=sitting, question=demo_question, latest=latest)
    assert shown == {"y": "9", "loss": "2"}
    newer = exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": "7", "loss": "7"}, question=demo_question
    )
    shown = selectors.answers_to_show(attempt=sitting, question=demo_question, latest=newer)
    assert shown == {"y": "7", "loss": "7"}


def test_time_up_submits_the_saved_answers_once_and_closes_at_the_deadline(
    sitting, student, demo_question, age, settings, django_capture_on_commit_callbacks
):
    settings.EXAM_GRACE_SECONDS = 30
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1.5", "loss": "x!"}
    )
    assert services.sitting_close_at_time_up(attempt_id=sitting.pk) is None  # not due yet
    age(sitting, 31)
    with django_capture_on_commit_callbacks() as callbacks:
        closure = services.sitting_close_at_time_up(attempt_id=sitting.pk)
    assert closure.by == SittingClosure.By.TIMER
    (submission,) = Submission.objects.filter(attempt=sitting)
    assert closure.submissions == [submission.pk]
    assert submission.answers == {"y": "1.5", "loss": "x!"}  # the unreadable part is kept
    assert submission.status == Submission.Status.PENDING
    assert len(callbacks) == 1  # grading enqueued after commit
    sitting.refresh_from_db()
    assert sitting.finished_at == sitting.deadline
    assert services.sitting_close_at_time_up(attempt_id=sitting.pk) == closure
    assert services.sittings_close_due() == []
    assert Submission.objects.filter(attempt=sitting).count() == 1


def test_unreadable_parts_are_marked_as_format_errors_not_dropped(
    sitting, student, demo_question, exact, age
):
    services.draft_save(
        attempt=sitting,
        student=student,
        question=demo_question,
        answers={"y": f"{exact['y']:.2f}", "loss": "three"},
    )
    age(sitting, 60)
    services.sitting_close_at_time_up(attempt_id=sitting.pk)
    submission = Submission.objects.get(attempt=sitting)
    marked = exam_services.submission_grade(submission_id=submission.pk)
    assert marked.feedback["y"]["status"] == "correct"
    assert marked.feedback["loss"]["status"] == "format_error"
    assert marked.feedback["loss"]["feedback"]


def test_a_draft_equal_to_the_latest_submission_is_not_submitted_again(
    sitting, student, demo_question, age
):
    answers = {"y": "1", "loss": "2"}
    services.draft_save(attempt=sitting, student=student, question=demo_question, answers=answers)
    exam_services.submission_create(
        attempt=sitting, student=student, answers=answers, question=demo_question
    )
    age(sitting, 60)
    closure = services.sitting_close_at_time_up(attempt_id=sitting.pk)
    assert closure.submissions == []
    assert Submission.objects.filter(attempt=sitting).count() == 1


def test_time_up_submissions_are_not_charged_against_the_limit(
    sitting, student, demo_question, age, course
):
    course.submissions_per_window = 1
    course.save()
    exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": "1", "loss": "1"}, question=demo_question
    )
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "2"}
    )
    age(sitting, 60)
    closure = services.sitting_close_at_time_up(attempt_id=sitting.pk)
    assert len(closure.submissions) == 1
    assert Submission.objects.get(pk=closure.submissions[0]).answers == {"y": "2", "loss": "1"}


def test_an_empty_draft_submits_nothing(sitting, student, demo_question, age):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": " ", "loss": ""}
    )
    age(sitting, 60)
    assert services.sitting_close_at_time_up(attempt_id=sitting.pk).submissions == []


def test_the_sweep_closes_only_sittings_past_deadline_and_grace(
    sitting, make_paper, other_student, age, settings
):
    settings.EXAM_GRACE_SECONDS = 30
    other = exam_services.attempt_start_paper(
        student=other_student, paper=make_paper("Other", minutes=30), mode=Attempt.Mode.EXAM
    )
    age(sitting, 40)
    age(other, 20)
    assert services.sittings_close_due() == [sitting.pk]
    other.refresh_from_db()
    assert other.finished_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_closings_submit_once(
    make_paper,
    student,
    demo_question,
    course,
    age,  # noqa: ARG001 - course enrols the student
):
    paper = make_paper("Race", minutes=30)
    attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="exam")
    exam_services.attempt_variant(attempt=attempt, question=demo_question)
    services.draft_save(
        attempt=attempt, student=student, question=demo_question, answers={"y": "1"}
    )
    age(attempt, 60)
    barrier = threading.Barrier(4)
    results: list[object] = []

    def close() -> None:
        barrier.wait()
        try:
            results.append(services.sitting_close_at_time_up(attempt_id=attempt.pk))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({closure.pk for closure in results}) == 1
    assert Submission.objects.filter(attempt=attempt).count() == 1
    assert SittingClosure.objects.count() == 1


def test_finish_submits_the_saved_answers_and_closes_now(sitting, student, demo_question):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "4"}
    )
    summary = selectors.sitting_finish_summary(attempt=sitting)
    assert (summary.parts, summary.unanswered, summary.unreadable) == (2, 1, [])
    closure = services.sitting_finish(attempt=sitting, student=student)
    assert closure.by == SittingClosure.By.STUDENT
    assert Submission.objects.get(attempt=sitting).answers == {"y": "4", "loss": ""}
    assert sitting.finished_at is not None
    assert sitting.finished_at - closure.closed_at < timedelta(seconds=1)
    assert sitting.is_closed(timezone.now())
    with pytest.raises(ApplicationError) as raised:
        services.sitting_finish(attempt=sitting, student=student)
    assert raised.value.code == "attempt_closed"
    assert "your saved answers were submitted" in raised.value.message


def test_a_new_sitting_schedules_its_closing_at_deadline_plus_grace(
    make_paper,
    student,
    course,
    settings,
    django_capture_on_commit_callbacks,
    monkeypatch,  # noqa: ARG001
):
    from autosave import tasks

    settings.EXAM_GRACE_SECONDS = 30
    sent = []
    monkeypatch.setattr(
        tasks.close_sitting_at_time_up, "apply_async", lambda args, eta: sent.append((args, eta))
    )
    paper = make_paper("Scheduled", minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = exam_services.attempt_start_paper(student=student, paper=paper, mode="exam")
    assert sent == [((attempt.pk,), attempt.deadline + timedelta(seconds=30))]


def test_a_part_saved_alone_keeps_what_was_typed_in_the_others(
    sitting, student, demo_question, exact, age
):
    """Both parts typed (autosaved), then (y) saved and marked alone: the submission fills
    (loss) from no earlier submission (empty), yet the page still shows the typed (loss) and
    the closing at time up submits it."""
    typed = {"y": str(exact["y"]), "loss": str(exact["loss"])}
    services.draft_save(attempt=sitting, student=student, question=demo_question, answers=typed)
    part = exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": typed["y"]}, question=demo_question
    )
    assert part.answers == {"y": typed["y"], "loss": ""}
    shown = selectors.answers_to_show(attempt=sitting, question=demo_question, latest=part)
    assert shown == typed
    age(sitting, 31)
    closure = services.sitting_close_at_time_up(attempt_id=sitting.pk)
    final = Submission.objects.get(pk=closure.submissions[0])
    assert final.answers == typed


def test_finish_submits_parts_typed_after_a_part_was_saved(sitting, student, demo_question):
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1", "loss": "2"}
    )
    exam_services.submission_create(
        attempt=sitting, student=student, answers={"y": "1"}, question=demo_question
    )
    closure = services.sitting_finish(attempt=sitting, student=student)
    assert Submission.objects.get(pk=closure.submissions[0]).answers == {"y": "1", "loss": "2"}


def test_a_draft_is_refused_once_a_concurrent_closing_has_committed(
    sitting, student, demo_question, monkeypatch
):
    """The student's "Finish exam" commits while a draft save is under way: the save, which
    checks the attempt holding its row, is refused rather than stored and never submitted."""
    real = services.attempt_variant

    def finish_meanwhile(*, attempt, question):  # noqa: ANN001, ANN202
        monkeypatch.setattr(services, "attempt_variant", real)
        services.sitting_finish(attempt=attempt, student=student)
        return real(attempt=attempt, question=question)

    monkeypatch.setattr(services, "attempt_variant", finish_meanwhile)
    with pytest.raises(ApplicationError) as raised:
        services.draft_save(
            attempt=sitting, student=student, question=demo_question, answers={"y": "1"}
        )
    assert raised.value.code == "attempt_closed"
    assert not AnswerDraft.objects.filter(attempt=sitting).exists()


def test_the_attempt_is_locked_alone_not_its_nullable_paper(
    sitting, student, demo_question, age, monkeypatch
):
    """PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (the paper): every
    lock on the attempt names its own row only."""
    from django.db.models.query import QuerySet

    seen: list[tuple] = []
    real = QuerySet.select_for_update

    def recording(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if self.model is Attempt:
            seen.append(kwargs.get("of", ()))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    services.draft_save(
        attempt=sitting, student=student, question=demo_question, answers={"y": "1"}
    )
    age(sitting, 31)
    services.sitting_close_at_time_up(attempt_id=sitting.pk)
    assert len(seen) == 2
    assert all(of == ("self",) for of in seen)


@pytest.mark.django_db
def test_a_submission_racing_the_finish_of_its_sitting_is_refused(
    sitting, student, demo_question, monkeypatch
):
    """A submission checked open before a concurrent Finish commits is refused once it holds
    the attempt's row: it never lands after the sitting closed."""
    real_variant = submission_services.attempt_variant_ready

    def finish_meanwhile(**kwargs):
        services.sitting_finish(attempt=Attempt.objects.get(pk=sitting.pk), student=student)
        return real_variant(**kwargs)

    monkeypatch.setattr(submission_services, "attempt_variant_ready", finish_meanwhile)
    with pytest.raises(ApplicationError) as refused:
        exam_services.submission_create(
            attempt=sitting, student=student, answers={"y": "7"}, question=demo_question
        )
    assert refused.value.code == "attempt_closed"
    assert not Submission.objects.filter(attempt=sitting).exists()

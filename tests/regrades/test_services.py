"""Regrade jobs at the service level: creation, a run that changes marks, resuming after a
worker died mid-way, our failures kept off the students' marks, the resume sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Submission
from regrades import selectors, services
from regrades.models import RegradeItem, RegradeJob
from tests.regrades.helpers import answer_and_mark, fix_question_target


@pytest.fixture
def marked(course, student, other_student, demo_question):
    """Two students' practice answers to the demo question, marked: alice's all right, bob's
    with (a) right and (b) wrong."""
    rows = []
    for user, loss_right in ((student, True), (other_student, False)):
        attempt = exam_services.attempt_start_question(
            student=user, course=course, question=demo_question
        )
        rows.append(
            answer_and_mark(
                attempt=attempt,
                student=user,
                question=demo_question,
                y_right=True,
                loss_right=loss_right,
            )
        )
    return rows


@pytest.mark.django_db
def test_a_job_records_every_marked_submission_with_its_mark(course, instructor, marked):
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert (job.total, job.done, job.status) == (2, 0, RegradeJob.Status.QUEUED)
    items = {item.submission_id: item for item in job.items.all()}
    assert {pk: (i.old_status, float(i.old_score)) for pk, i in items.items()} == {
        marked[0].pk: ("graded", 2.0),
        marked[1].pk: ("graded", 1.0),
    }


@pytest.mark.django_db
def test_a_job_needs_one_scope_and_something_to_regrade(course, instructor, demo_question):
    with pytest.raises(ApplicationError) as neither:
        services.regrade_job_create(course=course, requested_by=instructor)
    assert neither.value.code == "invalid_regrade"
    with pytest.raises(ApplicationError) as nothing:
        services.regrade_job_create(course=course, requested_by=instructor, question=demo_question)
    assert (nothing.value.code, nothing.value.status) == ("nothing_to_regrade", 409)


@pytest.mark.django_db
def test_running_a_job_marks_each_submission_once_and_lists_the_changes(course, instructor, marked):
    for submission in marked:
        fix_question_target(submission)
    question = marked[0].variant.version.question
    job = services.regrade_job_create(course=course, requested_by=instructor, question=question)

    assert services.regrade_job_run(job_id=job.pk, worker="w1") == services.DONE

    job.refresh_from_db()
    assert (job.status, job.done, job.changed, job.failed) == ("done", 2, 1, 0)
    assert job.finished_at is not None
    after = {s.pk: Submission.objects.get(pk=s.pk) for s in marked}
    assert [float(after[s.pk].score) for s in marked] == [1.0, 1.0]
    assert all(after[s.pk].grading_runs == s.grading_runs + 1 for s in marked)
    (change,) = selectors.regrade_job_changes(job=job)
    assert (change.student, float(change.before), float(change.after)) == ("alice", 2.0, 1.0)
    parts = [(p.display_label, p.before, p.after, p.changed) for p in change.parts]
    assert parts == [("(a)", 1.0, 1.0, False), ("(b)", 1.0, 0.0, True)]
    assert selectors.regrade_job_progress(job=job) == {
        "id": job.pk,
        "status": "done",
        "total": 2,
        "done": 2,
        "failed": 0,
        "changed": 1,
        "percent": 100,
        "finished": True,
    }
    # Running it again (a redelivered message) changes nothing.
    assert services.regrade_job_run(job_id=job.pk, worker="w2") == services.DONE
    assert Submission.objects.get(pk=marked[0].pk).grading_runs == marked[0].grading_runs + 1


@pytest.mark.django_db
def test_an_unchanged_mark_is_not_listed(course, instructor, marked):
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    services.regrade_job_run(job_id=job.pk, worker="w1")
    job.refresh_from_db()
    assert (job.done, job.changed) == (2, 0)
    assert selectors.regrade_job_changes(job=job) == []


@pytest.mark.django_db
def test_a_job_resumes_after_its_worker_died_mid_item(course, instructor, marked):
    fix_question_target(marked[0])
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert services.regrade_job_run(job_id=job.pk, worker="w1", max_items=1) == services.MORE
    # The next worker started the second item, claimed its submission, then died.
    second = RegradeItem.objects.get(job=job, submission=marked[1])
    assert second.started_at is None
    exam_services.submissions_regrade(
        submissions=Submission.objects.filter(pk=marked[1].pk), enqueue=False
    )
    RegradeItem.objects.filter(pk=second.pk).update(started_at=timezone.now())
    assert exam_services.submission_claim(submission_id=marked[1].pk, worker="dead")
    past = timezone.now() - timedelta(seconds=1)
    RegradeJob.objects.filter(pk=job.pk).update(lease_owner="dead", lease_expires_at=past)
    Submission.objects.filter(pk=marked[1].pk).update(lease_expires_at=past)

    assert services.regrade_job_run(job_id=job.pk, worker="w2") == services.DONE

    job.refresh_from_db()
    assert (job.done, job.changed, job.failed) == (2, 1, 0)
    assert float(Submission.objects.get(pk=marked[0].pk).score) == 1.0
    resumed = Submission.objects.get(pk=marked[1].pk)
    assert (resumed.status, float(resumed.score)) == ("graded", 1.0)
    # The dead worker's claim and the taking over: two runs, one mark.
    assert resumed.grading_runs == marked[1].grading_runs + 2
    assert RegradeItem.objects.filter(job=job, finished_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_job_held_by_a_live_worker_is_left_to_it(course, instructor, marked):
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert services.regrade_job_claim(job_id=job.pk, worker="w1")
    assert services.regrade_job_run(job_id=job.pk, worker="w2") == services.BUSY
    assert RegradeJob.objects.get(pk=job.pk).done == 0


@pytest.mark.django_db
def test_our_failure_keeps_the_previous_mark_and_counts_as_failed(
    course, instructor, marked, settings, monkeypatch
):
    settings.GRADING_QUICK_TRIES = 1

    def broken(**kwargs):  # noqa: ANN003, ANN202
        raise ConnectionError("database went away")

    monkeypatch.setattr("exams.services.submissions.variant_answers_mark", broken)
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert services.regrade_job_run(job_id=job.pk, worker="w1") == services.DONE
    job.refresh_from_db()
    assert (job.done, job.failed, job.changed) == (2, 2, 0)
    kept = Submission.objects.get(pk=marked[0].pk)
    assert (kept.status, kept.failure, float(kept.score)) == ("error", "infrastructure", 2.0)
    assert selectors.regrade_job_failures(job=job).count() == 2


@pytest.mark.django_db
def test_the_sweep_resends_jobs_nobody_works_on(course, instructor, marked, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "regrade_job_send", lambda *, job_id, **kw: sent.append(job_id))
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert services.regrade_jobs_resume() == []
    later = timezone.now() + timedelta(hours=1)
    assert services.regrade_jobs_resume(now=later) == [job.pk]
    assert sent == [job.pk]
    assert services.regrade_jobs_resume(now=later) == []


@pytest.mark.django_db
def test_an_item_waits_while_the_fixed_variant_cannot_be_built(
    course, instructor, marked, monkeypatch
):
    def sandbox_down(variant):  # noqa: ANN001, ANN202
        raise ApplicationError("The sandbox is unavailable.", code="sandbox_down", status=503)

    monkeypatch.setattr("exams.services.submissions._fixed_variant", sandbox_down)
    job = services.regrade_job_create(
        course=course, requested_by=instructor, question=marked[0].variant.version.question
    )
    assert services.regrade_job_run(job_id=job.pk, worker="w1") == services.MORE
    assert RegradeItem.objects.filter(job=job, started_at__isnull=True).count() == 2
    untouched = Submission.objects.get(pk=marked[0].pk)
    assert (untouched.status, untouched.grading_runs) == ("graded", marked[0].grading_runs)
    monkeypatch.undo()
    assert services.regrade_job_run(job_id=job.pk, worker="w1") == services.DONE

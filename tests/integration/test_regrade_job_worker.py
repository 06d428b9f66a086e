"""A regrade job on the real stack: an instructor starts it from the page after a question fix,
the real Celery worker marks every submission again, and the job lists the marks that changed."""

from __future__ import annotations

import time

import pytest

from exams import services as exam_services
from regrades.models import RegradeJob
from tests.regrades.helpers import answer_and_mark, fix_question_target

DONE_WITHIN_S = 60


@pytest.mark.integration
@pytest.mark.slow
def test_a_regrade_job_is_marked_by_the_worker_and_lists_the_changes(
    celery_worker, client, course, instructor, student, other_student, demo_question
):
    marked = []
    for user in (student, other_student):
        attempt = exam_services.attempt_start_question(
            student=user, course=course, question=demo_question
        )
        marked.append(
            answer_and_mark(
                attempt=attempt,
                student=user,
                question=demo_question,
                y_right=True,
                loss_right=True,
            )
        )
    fix_question_target(marked[0])
    client.force_login(instructor)

    started = client.post(
        f"/instructor/courses/{course.slug}/regrades/", {"question": demo_question.pk}
    )
    assert started.status_code == 302
    job = RegradeJob.objects.get()
    deadline = time.monotonic() + DONE_WITHIN_S
    while job.status != RegradeJob.Status.DONE and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()

    assert (job.status, job.done, job.changed, job.failed) == ("done", 2, 1, 0)
    progress = client.get(f"{started['Location']}progress/").json()
    assert progress["finished"] is True and progress["percent"] == 100
    page = client.get(started["Location"]).content.decode()
    assert "Marks that changed (1)" in page
    assert "(b): 1.0 → 0.0 <strong>(changed)</strong>" in page
    for submission in marked:
        submission.refresh_from_db()
        assert submission.grading_runs == 2

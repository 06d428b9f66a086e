"""The grading lifecycle on the real database and the real sandbox.

Claims and leases, the stale-submission sweep, our failures retried and then recovered, and
faults of the question left in `error` for an instructor to re-mark. "The sandbox is down"
is a SANDBOX_SOCKET where nothing listens: the real client really fails to connect.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

import question_engine
from exams import services, tasks
from exams.bank_sync import question_sync
from exams.errors import ApplicationError
from exams.models import Question, QuestionVersion, Submission
from question_engine import sandbox_jobs
from question_engine.code_parts import code_part

CODE_SLUG = "code-layer-norm"
FRAGILE_SOLVE = """

def solve(p: dict, r) -> None:
    w, x = np.array(p["w"]), np.array(p["x"])
    y = r.report("y", float(w @ x + p["b"]))
    if abs(y) > 1000:
        raise RuntimeError("solve() cannot handle a large y")
    r.report("loss", (p["d"] - y) ** 2)
"""
BROKEN_REFERENCE = 'raise RuntimeError("the reference cannot be loaded")\n'


@pytest.fixture(autouse=True)
def lifecycle_settings(settings):
    settings.GRADING_QUICK_TRIES = 2
    settings.GRADING_QUICK_BACKOFF_S = [5.0]
    settings.GRADING_RECOVERY_BACKOFF_S = [120.0, 600.0]
    settings.GRADING_LEASE_S = 600.0
    settings.GRADING_STALE_AFTER_S = 300
    return settings


@pytest.fixture
def sandbox(monkeypatch, tmp_path, course):
    """Turns the sandbox off (`down()`: jobs go to a socket where nothing listens) and on.

    The demo question's quantity feeds are forgotten, so marking it runs its carried-forward
    job as for a version synced before feeds were recorded: an outage reaches its marking.
    """
    QuestionVersion.objects.filter(question__slug="demo-linear-neuron").update(quantity_feeds=None)
    monkeypatch.setattr(sandbox_jobs, "RETRY_PAUSES_S", (0.0,))
    nowhere = str(tmp_path / "no-sandbox-here.sock")

    class Switch:
        @staticmethod
        def down() -> None:
            monkeypatch.setenv("SANDBOX_SOCKET", nowhere)

        @staticmethod
        def up() -> None:
            monkeypatch.delenv("SANDBOX_SOCKET")

    return Switch()


def _right(reference: dict) -> dict:
    return {name: f"{value:.2f}" for name, value in reference.items()}


def _submit(course, student, answers_for=_right, question=None):
    question = question or course.questions.get(slug="demo-linear-neuron")
    attempt = services.attempt_start_question(student=student, course=course, question=question)
    variant = services.attempt_variant(attempt=attempt)
    answers = answers_for(variant.reference["exact"])
    return services.submission_create(attempt=attempt, student=student, answers=answers)


def _row(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def _expire_lease(submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_of_two_claims_only_one_wins(course, student):
    submission = _submit(course, student)
    first = services.submission_claim(submission_id=submission.pk, worker="host:1:a")
    second = services.submission_claim(submission_id=submission.pk, worker="host:2:b")
    assert (first, second) == (True, False)
    row = _row(submission)
    assert row.status == Submission.Status.GRADING
    assert row.lease_owner == "host:1:a"
    assert row.lease_expires_at > timezone.now()


@pytest.mark.django_db
def test_a_live_lease_is_kept_and_an_expired_one_is_taken_over(course, student):
    submission = _submit(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="host:1:a")
    assert not services.submission_claim(submission_id=submission.pk, worker="host:2:b")
    _expire_lease(submission)
    assert services.submission_claim(submission_id=submission.pk, worker="host:2:b")
    assert _row(submission).lease_owner == "host:2:b"


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_stores_nothing(course, student):
    submission = _submit(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="slow")
    _expire_lease(submission)
    assert services.submission_claim(submission_id=submission.pk, worker="fresh")

    late = services.submission_mark(submission_id=submission.pk, worker="slow")
    assert late.status == Submission.Status.GRADING
    assert late.score is None and late.lease_owner == "fresh"

    marked = services.submission_mark(submission_id=submission.pk, worker="fresh")
    assert marked.status == Submission.Status.GRADED
    assert float(marked.score) == 2.0
    assert marked.grading_runs == 2


@pytest.mark.django_db
def test_the_sweep_resends_a_pending_row_at_most_once_per_threshold(course, student):
    submission = _submit(course, student)
    now = timezone.now()
    assert services.submissions_requeue_stale(now=now) == []
    later = now + timedelta(seconds=301)
    assert services.submissions_requeue_stale(now=later) == [submission.pk]
    assert services.submissions_requeue_stale(now=later + timedelta(seconds=60)) == []
    assert services.submissions_requeue_stale(now=later + timedelta(seconds=302)) == [submission.pk]


@pytest.mark.django_db
def test_a_live_lease_is_left_alone_and_a_lost_one_is_requeued_once(course, student):
    submission = _submit(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="host:1:a")
    assert services.submissions_requeue_stale() == []
    _expire_lease(submission)
    assert services.submissions_requeue_stale() == [submission.pk]
    assert services.submissions_requeue_stale() == []
    row = _row(submission)
    assert row.status == Submission.Status.PENDING
    assert row.lease_owner == "" and row.lease_expires_at is None


@pytest.mark.django_db
def test_workers_dying_on_every_quick_try_leave_it_in_error_for_the_recovery(course, student):
    submission = _submit(course, student)
    for worker in ("dies:1", "dies:2"):
        assert services.submission_claim(submission_id=submission.pk, worker=worker)
        _expire_lease(submission)
        services.submissions_requeue_stale()
    row = _row(submission)
    assert row.status == Submission.Status.ERROR
    assert row.failure == Submission.Failure.INFRASTRUCTURE
    assert row.score is None
    expected = timezone.now() + timedelta(seconds=120)
    assert abs((row.next_retry_at - expected).total_seconds()) < 60
    assert not services.submission_claim(submission_id=submission.pk, worker="late")


@pytest.mark.django_db
def test_a_sandbox_outage_is_never_a_mark_and_the_recovery_marks_it_later(
    course, student, sandbox, api_for
):
    submission = _submit(course, student)
    sandbox.down()

    first = tasks.grade_submission.apply(args=[submission.pk]).get()
    assert first == Submission.Status.PENDING
    row = _row(submission)
    assert row.quick_tries == 1 and row.score is None
    assert "sandbox" in row.error_message
    assert row.enqueued_at > timezone.now()

    assert tasks.grade_submission.apply(args=[submission.pk]).get() == Submission.Status.ERROR
    row = _row(submission)
    assert row.failure == Submission.Failure.INFRASTRUCTURE
    assert row.score is None and row.feedback == {}
    assert row.next_retry_at > timezone.now()

    shown = api_for(student).get(f"/api/v1/submissions/{submission.pk}/").json()
    assert shown["status"] == "error"
    assert shown["failure"] == "infrastructure"
    assert shown["awaiting_marking"] is True
    assert "marked automatically when the service recovers" in shown["error_message"]
    assert "socket" not in str(shown)
    assert shown["score"] is None

    assert services.submissions_recover_due() == []
    assert services.submissions_recover_due(now=row.next_retry_at) == [submission.pk]
    row = _row(submission)
    assert (row.status, row.recovery_tries, row.quick_tries) == ("pending", 1, 0)

    sandbox.up()
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED
    assert float(graded.score) == 2.0
    assert graded.failure == "" and graded.error_message == ""


@pytest.mark.django_db
def test_a_numeric_answer_that_carries_nothing_forward_is_marked_while_the_sandbox_is_down(
    course, student, monkeypatch, tmp_path
):
    monkeypatch.setattr(sandbox_jobs, "RETRY_PAUSES_S", (0.0,))
    submission = _submit(course, student)
    monkeypatch.setenv("SANDBOX_SOCKET", str(tmp_path / "no-sandbox-here.sock"))
    graded = tasks.grade_submission.apply(args=[submission.pk]).get()
    assert graded == Submission.Status.GRADED
    assert float(_row(submission).score) == 2.0


@pytest.mark.django_db
def test_the_recovery_backs_off_and_keeps_the_last_pause(course, student, sandbox):
    submission = _submit(course, student)
    sandbox.down()
    pauses = []
    for _ in range(3):
        services.submission_grade(submission_id=submission.pk)
        row = services.submission_grade(submission_id=submission.pk)
        assert row.status == Submission.Status.ERROR
        pauses.append(round((row.next_retry_at - timezone.now()).total_seconds(), -1))
        services.submissions_recover_due(now=row.next_retry_at)
    assert pauses == [120.0, 600.0, 600.0]


@pytest.fixture
def code_question(course) -> Question:
    question_sync(definition=question_engine.load_question(django_settings.BANK_ROOT / CODE_SLUG))
    question = Question.objects.get(slug=CODE_SLUG)
    course.questions.add(question)
    return question


def _layer_norm_solution() -> str:
    definition = question_engine.load_question(django_settings.BANK_ROOT / CODE_SLUG)
    return code_part(definition, "impl").solution


@pytest.mark.django_db
def test_a_correct_code_answer_is_not_marked_while_the_sandbox_is_down(
    course, student, code_question, sandbox
):
    submission = _submit(
        course, student, lambda ref: {"impl": _layer_norm_solution()}, question=code_question
    )
    sandbox.down()
    services.submission_grade(submission_id=submission.pk)
    row = services.submission_grade(submission_id=submission.pk)
    assert row.status == Submission.Status.ERROR
    assert row.failure == Submission.Failure.INFRASTRUCTURE
    assert row.score is None and row.feedback == {}

    sandbox.up()
    services.submissions_recover_due(now=row.next_retry_at)
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.feedback["impl"]["status"] == "correct"
    assert float(graded.score) == 8.0


@pytest.mark.django_db
def test_visible_tests_with_the_sandbox_down_are_a_503_that_costs_nothing(
    course, student, code_question, sandbox, api_for
):
    api = api_for(student)
    attempt = api.post("/api/v1/attempts/", {"question": CODE_SLUG}, format="json").json()
    sandbox.down()
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/run-tests/",
        {"part": "impl", "source": _layer_norm_solution()},
        format="json",
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "tests_unavailable"
    assert "try again in a minute" in error["message"]
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_of_ours_is_an_infrastructure_failure(course, student, settings):
    settings.GRADING_QUICK_TRIES = 1
    submission = _submit(course, student)
    submission.variant.reference = {"broken": True}
    submission.variant.save()
    row = services.submission_grade(submission_id=submission.pk)
    assert row.status == Submission.Status.ERROR
    assert row.failure == Submission.Failure.INFRASTRUCTURE
    assert row.score is None
    assert row.error_message.startswith("KeyError")


@pytest.fixture
def fragile_question(course) -> Question:
    """The demo question with a solve() that fails on a student's large y."""
    definition = question_engine.load_question(django_settings.BANK_ROOT / "demo-linear-neuron")
    head = definition.code[: definition.code.index("def solve")]
    fragile = dataclasses.replace(
        definition, code=head + FRAGILE_SOLVE.lstrip("\n"), content_hash="fragile-solve"
    )
    question_sync(definition=fragile)
    return Question.objects.get(slug="demo-linear-neuron")


@pytest.mark.django_db
def test_a_solve_that_fails_on_a_students_answer_is_no_fault_of_the_question(
    course, student, fragile_question
):
    submission = _submit(
        course,
        student,
        lambda ref: {"y": "123456", "loss": f"{ref['loss']:.2f}"},
        question=fragile_question,
    )
    graded = services.submission_grade(submission_id=submission.pk)
    assert (graded.status, graded.failure) == (Submission.Status.GRADED, "")
    assert graded.feedback["y"]["status"] == "incorrect"
    assert graded.feedback["loss"]["status"] == "correct"
    assert graded.feedback["loss"]["matched"] == "exact"


@pytest.fixture
def broken_code_question(course) -> Question:
    """The layer-norm code question with a reference solution that does not load."""
    definition = question_engine.load_question(django_settings.BANK_ROOT / CODE_SLUG)
    parts = [
        dataclasses.replace(
            part,
            rule={**part.rule, "code": {**part.rule["code"], "reference": BROKEN_REFERENCE}},
        )
        if part.kind == "code"
        else part
        for part in definition.parts
    ]
    broken = dataclasses.replace(definition, parts=parts, content_hash="broken-reference")
    question_sync(definition=broken)
    question = Question.objects.get(slug=CODE_SLUG)
    course.questions.add(question)
    return question


@pytest.mark.django_db
def test_a_fault_in_the_question_waits_for_the_instructor_who_remarks_after_fixing(
    course, student, instructor, broken_code_question, client, api_for
):
    submission = _submit(
        course,
        student,
        lambda ref: {"impl": _layer_norm_solution()},
        question=broken_code_question,
    )
    row = services.submission_grade(submission_id=submission.pk)
    assert row.status == Submission.Status.ERROR
    assert row.failure == Submission.Failure.QUESTION
    assert row.next_retry_at is None
    assert "the reference cannot be loaded" in row.error_message
    assert services.submissions_recover_due(now=timezone.now() + timedelta(days=30)) == []

    shown = api_for(student).get(f"/api/v1/submissions/{submission.pk}/").json()
    assert shown["failure"] == "question" and shown["awaiting_marking"] is False
    assert "fault in the question itself" in shown["error_message"]
    assert "cannot be loaded" not in str(shown)

    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/").content.decode()
    assert "Submissions that could not be marked" in page
    assert "the reference cannot be loaded" in page and "question (needs you)" in page

    fixed = question_engine.load_question(django_settings.BANK_ROOT / CODE_SLUG)
    assert question_sync(definition=fixed).action == "new_version"
    response = client.post(f"/instructor/courses/{course.slug}/submissions/{submission.pk}/remark/")
    assert response.status_code == 302
    row = _row(submission)
    assert row.status == Submission.Status.PENDING
    assert row.variant.version.number == 2

    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED
    assert graded.feedback["impl"]["status"] == "correct"


@pytest.mark.django_db
def test_the_instructor_page_lists_waiting_submissions(course, student, instructor, client):
    _submit(course, student)
    client.force_login(instructor)
    page = client.get(f"/instructor/courses/{course.slug}/").content.decode()
    assert "Waiting to be marked" in page
    assert "alice" in page


@pytest.mark.django_db
def test_only_submissions_in_error_can_be_remarked(course, student):
    submission = _submit(course, student)
    with pytest.raises(ApplicationError, match="not in error"):
        services.submission_remark(submission=submission)


@pytest.mark.django_db
def test_the_attempt_page_shows_the_wait_and_keeps_polling(course, student, sandbox, client):
    submission = _submit(course, student)
    sandbox.down()
    services.submission_grade(submission_id=submission.pk)
    assert services.submission_grade(submission_id=submission.pk).status == "error"
    client.force_login(student)
    page = client.get(f"/attempts/{submission.attempt_id}/").content.decode()
    assert "marked automatically when the service recovers" in page
    assert f'data-pending-url="/api/v1/submissions/{submission.pk}/"' in page


@pytest.mark.django_db
def test_a_pending_row_that_can_no_longer_be_claimed_goes_to_error(course, student, settings):
    submission = _submit(course, student)
    assert services.submission_claim(submission_id=submission.pk, worker="w:1")
    _expire_lease(submission)
    services.submissions_requeue_stale()
    settings.GRADING_QUICK_TRIES = 1
    assert not services.submission_claim(submission_id=submission.pk, worker="w:2")
    later = timezone.now() + timedelta(seconds=301)
    assert services.submissions_requeue_stale(now=later) == []
    row = _row(submission)
    assert (row.status, row.failure) == ("error", "infrastructure")
    assert services.submissions_recover_due(now=row.next_retry_at) == [submission.pk]
    assert services.submission_grade(submission_id=submission.pk).status == "graded"


@pytest.mark.django_db
def test_numeric_and_code_submissions_go_to_their_own_queues(
    course, student, code_question, monkeypatch
):
    """A burst of code never delays numeric marks: each kind has its queue (config/queues.py)."""
    from config import queues

    numeric = _submit(course, student)
    code = _submit(
        course, student, lambda ref: {"impl": _layer_norm_solution()}, question=code_question
    )
    assert services.grading_queue(submission_id=numeric.pk) == queues.MARKING
    assert services.grading_queue(submission_id=code.pk) == queues.CODE

    sent = []
    monkeypatch.setattr(
        tasks.grade_submission, "apply_async", lambda args, **options: sent.append(options)
    )
    services.grading_enqueue(submission_id=code.pk)
    assert sent[-1]["queue"] == queues.CODE

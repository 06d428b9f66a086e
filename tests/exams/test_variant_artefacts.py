"""What a marking sends to the (real) sandbox: author runs stored with the variant, and the
carried-forward job only when an answer feeds another answered part.

Jobs are counted by wrapping `run_job` where the engine calls it; the wrapper still runs every
job in the real sandbox.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.conf import settings

import question_engine
from artefacts.models import AuthorArray
from artefacts.selectors import author_arrays_get
from exams import services
from exams.bank_bridge import build_variant_data, definition_from_version
from exams.bank_sync import question_sync
from exams.models import Question, QuestionVersion, Variant
from exams.variant_marking import variant_answers_mark
from question_engine import code_runs, question_runs
from question_engine.code_parts import code_part
from question_engine.errors import SandboxFailure

CODE_SLUG = "code-layer-norm"
INDEPENDENT_SLUG = "seed001-q6-layernorm-variance"
CHAIN_SLUG = "seed002-q3-conv-params-flops"


@pytest.fixture
def sandbox_jobs(monkeypatch) -> list[tuple[str, ...]]:
    """The entry points of every job sent to the sandbox from here on (still run for real)."""
    sent: list[tuple[str, ...]] = []

    def counted(job, *, where):  # noqa: ANN001, ANN202
        sent.append(tuple(call.entry for call in job.calls))
        return real(job, where=where)

    real = code_runs.run_job
    monkeypatch.setattr(code_runs, "run_job", counted)
    monkeypatch.setattr(question_runs, "run_job", counted)
    return sent


def _in_course(course, slug: str) -> Question:  # noqa: ANN001
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
    question = Question.objects.get(slug=slug)
    course.questions.add(question)
    return question


def _variant_of(course, student, slug: str):  # noqa: ANN001, ANN202
    question = _in_course(course, slug)
    attempt = services.attempt_start_question(student=student, course=course, question=question)
    return attempt, services.attempt_variant(attempt=attempt)


def _solution() -> str:
    return code_part(question_engine.load_question(settings.BANK_ROOT / CODE_SLUG), "impl").solution


@pytest.mark.django_db
def test_a_built_variant_carries_its_author_runs_and_marking_sends_only_the_test_jobs(
    course, student, sandbox_jobs
):
    attempt, variant = _variant_of(course, student, CODE_SLUG)
    definition = definition_from_version(variant.version)
    tests = code_part(definition, "impl").tests(variant.params)
    stored = Variant.objects.get(pk=variant.pk).author_runs["impl"]
    assert set(json.loads(json.dumps(stored))["reference"]["tests"]["dict"]) == {
        test.name for test in tests
    }
    assert len(stored["wrong"]) == len(code_part(definition, "impl").wrong_for(tests))
    hashes = question_engine.array_hashes(stored)
    assert hashes and AuthorArray.objects.filter(sha256__in=hashes).count() == len(hashes)
    code_runs._author_cache.clear()
    sandbox_jobs.clear()

    submission = services.submission_create(
        attempt=attempt, student=student, answers={"impl": _solution()}
    )
    graded = services.submission_grade(submission_id=submission.pk)

    assert graded.status == "graded" and graded.score == graded.max_score > 0
    assert sandbox_jobs == [("run_test",)] * len(tests)
    sandbox_jobs.clear()
    visible = services.code_visible_tests_run(
        attempt=attempt, student=student, label="impl", source=_solution()
    )
    assert visible.status == "visible_tests_passed"
    assert sandbox_jobs == [("run_test",)] * sum(not test.hidden for test in tests)


@pytest.mark.slow
@pytest.mark.django_db
def test_stored_author_runs_mark_a_wrong_solution_as_a_fresh_computation_does(course, student):
    _, variant = _variant_of(course, student, CODE_SLUG)
    definition = definition_from_version(variant.version)
    wrong = code_part(definition, "impl").wrong[0]
    arrays = author_arrays_get(hashes=question_engine.array_hashes(variant.author_runs))
    stored = question_engine.author_runs_from_plain(variant.author_runs["impl"], arrays)
    code_runs._author_cache.clear()
    fresh = question_engine.mark_code_part(definition, "impl", variant.params, wrong.source)
    marked = question_engine.mark_code_part(
        definition, "impl", variant.params, wrong.source, stored
    )
    assert marked.as_dict() == fresh.as_dict()
    assert marked.score < marked.max_score and wrong.hint in marked.feedback


@pytest.mark.django_db
def test_a_variant_stored_without_author_runs_gets_them_stored_once(course, student, sandbox_jobs):
    attempt, variant = _variant_of(course, student, CODE_SLUG)
    built = Variant.objects.get(pk=variant.pk).author_runs
    Variant.objects.filter(pk=variant.pk).update(author_runs={})
    AuthorArray.objects.all().delete()
    code_runs._author_cache.clear()
    sandbox_jobs.clear()

    first = services.submission_create(
        attempt=attempt, student=student, answers={"impl": _solution()}
    )
    assert services.submission_grade(submission_id=first.pk).status == "graded"
    author_jobs = [job for job in sandbox_jobs if job == ("run_author_plans",)]
    assert author_jobs and len(author_jobs) == 1 + len(built["impl"]["wrong"])
    assert Variant.objects.get(pk=variant.pk).author_runs == built
    assert AuthorArray.objects.count() == len(question_engine.array_hashes(built))

    code_runs._author_cache.clear()
    sandbox_jobs.clear()
    second = services.submission_create(
        attempt=attempt, student=student, answers={"impl": _solution()}
    )
    assert services.submission_grade(submission_id=second.pk).status == "graded"
    assert set(sandbox_jobs) == {("run_test",)}


def _version(slug: str) -> QuestionVersion:
    return QuestionVersion.objects.get(question__slug=slug)


def _mark(definition, variant, answers, sandbox_jobs):  # noqa: ANN001, ANN202
    sandbox_jobs.clear()
    result = variant_answers_mark(
        definition=definition,
        params=variant.params,
        reference=variant.reference,
        answers=answers,
    )
    return result.as_dict(), list(sandbox_jobs)


def _answer_sets(variant) -> list[dict[str, str]]:  # noqa: ANN001
    """Right answers, each answer wrong, and each named mistake of the solver."""
    exact = variant.reference["exact"]
    right = {label: json.dumps(value) for label, value in exact.items()}
    sets = [right]
    for label, value in exact.items():
        wrong = [item * 1.5 + 1 for item in value] if isinstance(value, list) else value * 1.5 + 1
        sets.append({**right, label: json.dumps(wrong)})
    for label, named in variant.reference["alternatives"].items():
        for entry in named.values():
            sets.append({**right, label: json.dumps(entry["value"])})
    return sets


@pytest.mark.django_db
def test_a_question_without_carried_forward_is_marked_with_no_sandbox_job(
    course, student, sandbox_jobs
):
    _, variant = _variant_of(course, student, INDEPENDENT_SLUG)
    definition = definition_from_version(_version(INDEPENDENT_SLUG))
    assert definition.quantity_feeds == {name: [] for name in variant.reference["exact"]}
    unknown = dataclasses.replace(definition, quantity_feeds=None)
    named = set()
    for answers in _answer_sets(variant):
        before, before_jobs = _mark(unknown, variant, answers, sandbox_jobs)
        after, after_jobs = _mark(definition, variant, answers, sandbox_jobs)
        assert after == before
        assert before_jobs == [("harness_carried_forward",)] and after_jobs == []
        named |= {name for part in after["parts"].values() for name in part.get("mistakes", ())}
    assert {"sign:var_x1", "sign:g_x1"} <= named


@pytest.mark.django_db
def test_an_answer_feeding_a_later_part_is_carried_forward_in_one_job(
    course, student, sandbox_jobs
):
    _, variant = _variant_of(course, student, CHAIN_SLUG)
    definition = definition_from_version(_version(CHAIN_SLUG))
    assert "params1" in definition.quantity_feeds["n1"]
    exact = variant.reference["exact"]
    right = {label: json.dumps(value) for label, value in exact.items()}
    n1 = exact["n1"] + 2
    carried = {**right, "n1": str(n1), "params1": str(exact["params1"] // exact["n1"] * n1)}

    marked, jobs = _mark(definition, variant, carried, sandbox_jobs)
    assert jobs == [("harness_carried_forward",)]
    assert marked["parts"]["params1"]["matched"] == "carried_forward"
    assert marked["parts"]["n1"]["status"] == "incorrect"
    unknown = dataclasses.replace(definition, quantity_feeds=None)
    assert _mark(unknown, variant, carried, sandbox_jobs)[0] == marked
    only_later = {"flops_ratio": right["flops_ratio"]}
    assert _mark(definition, variant, only_later, sandbox_jobs)[1] == []
    all_right, jobs = _mark(definition, variant, right, sandbox_jobs)
    assert jobs == [] and all_right == _mark(unknown, variant, right, sandbox_jobs)[0]
    statuses = {label: part["status"] for label, part in all_right["parts"].items()}
    assert {statuses[label] for label in right} == {"correct"}


@pytest.mark.django_db
def test_a_variant_stored_without_alternatives_gets_them_stored_at_its_first_marking(
    course, student, sandbox_jobs
):
    attempt, variant = _variant_of(course, student, INDEPENDENT_SLUG)
    reference = dict(variant.reference)
    alternatives = reference.pop("alternatives")
    Variant.objects.filter(pk=variant.pk).update(reference=reference)
    right = {label: json.dumps(value) for label, value in reference["exact"].items()}
    sandbox_jobs.clear()

    first = services.submission_create(attempt=attempt, student=student, answers=right)
    assert services.submission_grade(submission_id=first.pk).status == "graded"
    assert sandbox_jobs == [("harness_perturbations",)]
    assert Variant.objects.get(pk=variant.pk).reference["alternatives"] == alternatives

    sandbox_jobs.clear()
    second = services.submission_create(attempt=attempt, student=student, answers=right)
    assert services.submission_grade(submission_id=second.pk).status == "graded"
    assert sandbox_jobs == []


@pytest.mark.django_db
def test_sync_records_the_feeds_and_a_later_sync_fills_them_in_when_the_job_failed(monkeypatch):
    definition = question_engine.load_question(settings.BANK_ROOT / "demo-linear-neuron")

    def sandbox_down(q):  # noqa: ANN001, ANN202
        raise question_engine.QuestionRunError("the sandbox is down")

    monkeypatch.setattr("exams.bank_sync.quantity_feeds", sandbox_down)
    failed = question_sync(definition=dataclasses.replace(definition, content_hash="f" * 64))
    assert failed.action == "created" and "sandbox is down" in failed.feeds_problem
    version = QuestionVersion.objects.get(question__slug="demo-linear-neuron")
    assert version.quantity_feeds is None
    assert definition_from_version(version).quantity_feeds is None

    monkeypatch.undo()
    again = question_sync(definition=dataclasses.replace(definition, content_hash="f" * 64))
    assert (again.action, again.feeds_problem) == ("unchanged", "")
    version.refresh_from_db()
    assert version.quantity_feeds == {"y": ["loss"], "loss": []}


@pytest.mark.django_db
def test_a_variant_whose_author_runs_fail_is_built_without_them(course, monkeypatch):
    _in_course(course, CODE_SLUG)

    def sandbox_busy(q, params):  # noqa: ANN001, ANN202
        raise SandboxFailure("no sandbox slot took the job within 20 s")

    monkeypatch.setattr(question_engine, "variant_author_runs", sandbox_busy)
    data = build_variant_data(version=_version(CODE_SLUG), seed=3, paper=False)
    assert data["author_runs"] == {} and data["params"] and data["statement_md"]

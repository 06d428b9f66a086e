"""Answers saved part by part: a submission carries any subset of the parts, empty is unanswered."""

from __future__ import annotations

import pytest
from django.conf import settings

import grader
import question_engine
from exams import services
from exams.errors import ApplicationError
from exams.models import Submission
from exams.services.submissions import ANSWER_MAX_CHARS
from exams.variant_marking import variant_answers_mark


@pytest.fixture
def attempt(course, student):
    return services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )


def _exact(attempt) -> dict:
    return services.attempt_variant(attempt=attempt).reference["exact"]


def _submit_and_grade(attempt, student, answers, **kwargs) -> Submission:
    submission = services.submission_create(
        attempt=attempt, student=student, answers=answers, **kwargs
    )
    return services.submission_grade(submission_id=submission.pk)


@pytest.mark.django_db
def test_an_empty_part_is_unanswered_and_the_others_are_marked(attempt, student):
    exact = _exact(attempt)
    graded = _submit_and_grade(attempt, student, {"y": f"{exact['y']:.2f}", "loss": "  "})
    assert float(graded.score) == 1.0
    assert graded.feedback["y"]["status"] == "correct"
    assert graded.feedback["loss"]["status"] == "unanswered"
    assert graded.feedback["loss"]["score"] == 0.0
    assert graded.feedback["loss"]["feedback"] == "Not answered."


@pytest.mark.django_db
def test_a_part_left_out_keeps_its_latest_answer_on_the_variant(attempt, student):
    exact = _exact(attempt)
    first = _submit_and_grade(attempt, student, {"y": f"{exact['y']:.2f}"})
    assert first.answers == {"y": f"{exact['y']:.2f}", "loss": ""}
    assert first.feedback["loss"]["status"] == "unanswered"

    second = _submit_and_grade(attempt, student, {"loss": f"{exact['loss']:.2f}"})
    assert second.answers == {"y": f"{exact['y']:.2f}", "loss": f"{exact['loss']:.2f}"}
    assert float(second.score) == 2.0
    assert Submission.objects.filter(attempt=attempt).count() == 2


@pytest.mark.django_db
def test_a_part_saved_alone_gets_credit_carried_forward_from_a_kept_answer(attempt, student):
    variant = services.attempt_variant(attempt=attempt)
    wrong_y = round(variant.reference["exact"]["y"] + 3, 2)
    _submit_and_grade(attempt, student, {"y": f"{wrong_y:.2f}"})
    graded = _submit_and_grade(
        attempt, student, {"loss": f"{(variant.params['d'] - wrong_y) ** 2:.2f}"}
    )
    assert graded.feedback["y"]["status"] == "incorrect"
    assert graded.feedback["loss"]["score"] == 1.0


@pytest.mark.django_db
def test_answers_are_not_kept_across_attempts(course, attempt, student):
    exact = _exact(attempt)
    _submit_and_grade(attempt, student, {"y": f"{exact['y']:.2f}"})
    fresh = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    submission = services.submission_create(attempt=fresh, student=student, answers={"loss": "1"})
    assert submission.answers == {"y": "", "loss": "1"}


@pytest.mark.django_db
@pytest.mark.parametrize("answers", [{}, {"y": "", "loss": " "}, {"loss": "\n"}])
def test_a_submission_with_nothing_answered_is_refused(attempt, student, answers):
    with pytest.raises(ApplicationError) as caught:
        services.submission_create(attempt=attempt, student=student, answers=answers)
    assert caught.value.code == "no_answers"
    assert caught.value.status == 400
    assert "nothing to mark" in caught.value.message
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_answer_still_refuses_the_submission_naming_the_part(attempt, student):
    with pytest.raises(ApplicationError) as caught:
        services.submission_create(attempt=attempt, student=student, answers={"y": "three"})
    assert caught.value.code == "invalid_answers"
    assert set(caught.value.details["parts"]) == {"y"}
    assert "part (a):" in caught.value.message
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_repeated_part_save_with_its_key_replays_the_first(attempt, student):
    exact = _exact(attempt)
    answers = {"y": f"{exact['y']:.2f}"}
    first = services.submission_submit(
        attempt=attempt, student=student, answers=answers, idempotency_key="k-1"
    )
    again = services.submission_submit(
        attempt=attempt, student=student, answers=answers, idempotency_key="k-1"
    )
    assert again.replayed and again.submission.pk == first.submission.pk
    with pytest.raises(ApplicationError) as caught:
        services.submission_submit(
            attempt=attempt, student=student, answers={"loss": "1"}, idempotency_key="k-1"
        )
    assert caught.value.code == "idempotency_key_reused"


@pytest.mark.django_db
def test_the_api_refuses_an_all_empty_submission_with_the_error_shape(attempt, student, api_for):
    response = api_for(student).post(
        f"/api/v1/attempts/{attempt.pk}/submissions/", {"answers": {"y": ""}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_answers"


def test_empty_answers_are_not_format_errors_and_mark_as_unanswered():
    part = grader.PartSpec(label="a", kind="number", marks=2, rule={"tolerance": {"dp": 2}})
    assert grader.check_format([part], {"a": ""}) == {}
    assert grader.check_format([part], {}) == {}
    assert set(grader.check_format([part], {"a": "x"})) == {"a"}
    result = grader.mark_part(part, grader.Reference(exact={"a": 1.0}), "   ")
    assert (result.status, result.score, result.max_score) == ("unanswered", 0.0, 2)


def test_an_empty_code_part_is_never_sent_to_the_sandbox(monkeypatch):
    definition = question_engine.load_question(settings.BANK_ROOT / "code-layer-norm")

    def refuse(*args, **kwargs):
        raise AssertionError("an empty code answer was sent to the sandbox")

    monkeypatch.setattr(question_engine, "mark_code_part", refuse)
    result = variant_answers_mark(
        definition=definition,
        params={},
        reference={"exact": {}},
        answers={part.label: "" for part in definition.parts},
    )
    assert {part.status for part in result.parts.values()} == {"unanswered"}
    assert result.score == 0.0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [("1\x00", "NUL character"), ("1" * (ANSWER_MAX_CHARS + 1), "longer than")],
)
def test_a_nul_or_an_overlong_answer_is_refused_before_it_is_stored(
    attempt, student, api_for, text, expected
):
    with pytest.raises(ApplicationError) as raised:
        services.submission_create(attempt=attempt, student=student, answers={"y": text})
    assert raised.value.code == "invalid_answers"
    assert expected in raised.value.message
    assert set(raised.value.details["parts"]) == {"y"}
    response = api_for(student).post(
        f"/api/v1/attempts/{attempt.pk}/submissions/", {"answers": {"y": text}}, format="json"
    )
    assert response.status_code == 400
    assert expected in response.json()["error"]["message"]
    assert not Submission.objects.filter(attempt=attempt).exists()

"""Submitting answers over the API: format errors, storage, and what students may read."""

from __future__ import annotations

import pytest
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question, Submission


def _start(api, question_slug: str = "demo-linear-neuron") -> dict:
    response = api.post("/api/v1/attempts/", {"question": question_slug}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _correct_answers(attempt_id: int) -> dict[str, str]:
    attempt = Attempt.objects.get(pk=attempt_id)
    reference = services.attempt_variant(attempt=attempt).reference["exact"]
    return {label: f"{value:.4f}" for label, value in reference.items()}


@pytest.mark.django_db
def test_variant_payload_has_statement_and_parts_but_no_answers(course, student, api_for):
    attempt = _start(api_for(student))
    variant = attempt["questions"][0]["variant"]
    assert [p["label"] for p in variant["parts"]] == ["y", "loss"]
    assert variant["statement_html"]
    body = str(attempt)
    for forbidden in ("reference", "exact", "rounded", "params", "solution_html", "model_answers"):
        assert forbidden not in body
    for value in _correct_answers(attempt["id"]).values():
        assert value not in body


@pytest.mark.django_db
def test_valid_submission_is_accepted_as_pending(course, student, api_for):
    api = api_for(student)
    attempt = _start(api)
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": _correct_answers(attempt["id"])},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["status_url"].endswith(f"/api/v1/submissions/{body['id']}/")
    assert Submission.objects.get(pk=body["id"]).status == Submission.Status.PENDING


@pytest.mark.django_db
def test_malformed_answer_is_rejected_naming_the_part_and_nothing_is_stored(
    course, student, api_for
):
    api = api_for(student)
    attempt = _start(api)
    answers = _correct_answers(attempt["id"])
    answers["loss"] = "twelve"
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_answers"
    assert "part (b)" in error["message"]
    assert set(error["details"]["parts"]) == {"loss"}
    assert not Submission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"y": "1", "loss": "1", "z": "2"}, "Unknown part label(s) z"),
        ({"y": 1.5, "loss": "1"}, "must be text"),
        (["1", "2"], "JSON object"),
    ],
)
def test_answers_of_the_wrong_shape_get_a_clear_400(course, student, api_for, answers, message):
    api = api_for(student)
    attempt = _start(api)
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_students_cannot_read_or_submit_to_each_others_work(
    course, student, other_student, api_for
):
    mine = api_for(student)
    attempt = _start(mine)
    submitted = mine.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": _correct_answers(attempt["id"])},
        format="json",
    ).json()
    theirs = api_for(other_student)
    assert theirs.get(f"/api/v1/submissions/{submitted['id']}/").status_code == 404
    assert theirs.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 404
    response = theirs.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/", {"answers": {}}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_instructor_of_the_course_can_read_a_students_submission(
    course, student, instructor, api_for
):
    api = api_for(student)
    attempt = _start(api)
    submitted = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": _correct_answers(attempt["id"])},
        format="json",
    ).json()
    assert api_for(instructor).get(f"/api/v1/submissions/{submitted['id']}/").status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_are_refused(course):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/courses/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()


@pytest.mark.django_db
def test_same_student_question_and_attempt_number_give_the_same_variant(course, student, api_for):
    api = api_for(student)
    first = _start(api)
    again = api.get(f"/api/v1/attempts/{first['id']}/").json()
    assert (
        first["questions"][0]["variant"]["statement_md"]
        == again["questions"][0]["variant"]["statement_md"]
    )
    second = _start(api)
    assert second["number"] == first["number"] + 1
    assert (
        second["questions"][0]["variant"]["statement_md"]
        != first["questions"][0]["variant"]["statement_md"]
    )


@pytest.fixture
def backprop_attempt(course, student, api_for) -> tuple:
    slug = "seed000-q3-two-layer-backprop"
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / slug))
    course.questions.add(Question.objects.get(slug=slug))
    api = api_for(student)
    return api, _start(api, slug)


@pytest.mark.django_db
@pytest.mark.parametrize("wrong", ["[1]", "[1, 2, 3, 4, 5, 6, 7]", "[[1], [2]]"])
def test_an_array_answer_of_any_size_passes_the_format_check(backprop_attempt, wrong):
    """The format check cannot be used to probe the expected shape: any size is readable."""
    api, attempt = backprop_attempt
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": {"a": wrong, "grad_W1": "[[1, 2, 3, 4, 5]]"}},
        format="json",
    )
    assert response.status_code == 202, response.content


@pytest.mark.django_db
def test_an_answer_of_the_wrong_kind_is_refused_saying_what_kind_is_expected(backprop_attempt):
    api, attempt = backprop_attempt
    response = api.post(
        f"/api/v1/attempts/{attempt['id']}/submissions/",
        {"answers": {"a": "[[1, 2], [3, 4]]", "grad_W1": "[[[1]]]"}},
        format="json",
    )
    parts = response.json()["error"]["details"]["parts"]
    assert parts["a"].startswith(
        "enter a vector (one row or one column of numbers, like [1, 2, 3])"
    )
    assert parts["grad_W1"].startswith("enter a matrix (rows of numbers, like [[1, 2], [3, 4]])")

"""The draft API: save and read answers as typed, in the API's one error shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from autosave.models import AnswerDraft
from exams.services.submissions import ANSWER_MAX_CHARS


def _url(attempt, slug="demo-linear-neuron"):  # noqa: ANN001, ANN202
    return reverse("autosave:attempt-draft", args=[attempt.pk, slug])


def test_put_saves_parts_and_get_reads_them_back(sitting, student, api_for):
    client = api_for(student)
    assert client.get(_url(sitting)).json() == {
        "question": "demo-linear-neuron",
        "answers": {},
        "saved_at": None,
        "revision": 0,
        "format_problems": {},
    }
    response = client.put(_url(sitting), {"answers": {"y": "1.5"}}, format="json")
    assert response.status_code == 200
    response = client.put(_url(sitting), {"answers": {"loss": "two"}}, format="json")
    body = response.json()
    assert body["answers"] == {"y": "1.5", "loss": "two"}
    assert body["revision"] == 2
    assert set(body["format_problems"]) == {"loss"}
    assert client.get(_url(sitting)).json()["answers"] == {"y": "1.5", "loss": "two"}


def test_someone_elses_attempt_is_not_found(sitting, other_student, api_for):
    response = api_for(other_student).put(_url(sitting), {"answers": {"y": "1"}}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not AnswerDraft.objects.exists()


def test_an_instructor_reads_but_does_not_write(sitting, instructor, api_for):
    client = api_for(instructor)
    assert client.get(_url(sitting)).status_code == 200
    response = client.put(_url(sitting), {"answers": {"y": "1"}}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_attempt"


def test_a_question_outside_the_attempt_is_not_found(sitting, student, api_for):
    response = api_for(student).get(_url(sitting, "no-such-question"))
    assert response.status_code == 404
    assert "no question 'no-such-question'" in response.json()["error"]["message"]


def test_bad_bodies_get_a_clear_400(sitting, student, api_for):
    client = api_for(student)
    missing = client.put(_url(sitting), {}, format="json")
    assert missing.status_code == 400
    assert "answers" in missing.json()["error"]["details"]
    unknown = client.put(_url(sitting), {"answers": {"q": "1"}}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "invalid_answers"


def test_after_the_grace_period_a_save_says_when_the_exam_closed(
    sitting, student, api_for, age, settings
):
    settings.EXAM_GRACE_SECONDS = 30
    age(sitting, 31)
    response = api_for(student).put(_url(sitting), {"answers": {"y": "1"}}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "attempt_closed"
    assert error["details"]["closed_at"] == sitting.deadline.isoformat()
    assert "This exam sitting is closed: it closed at" in error["message"]


@pytest.mark.parametrize("value", ["1e999999", "1e400", "NaN", "Infinity", "-0", "9" * 40])
def test_absurd_numbers_in_a_draft_body_get_a_clear_400(sitting, student, api_for, value):
    response = api_for(student).put(
        _url(sitting),
        data=f'{{"answers": {{"y": {value}}}}}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"]
    assert not AnswerDraft.objects.exists()


def test_a_nul_or_an_overlong_answer_gets_a_clear_400_and_is_not_stored(sitting, student, api_for):
    client = api_for(student)
    nul = client.put(
        _url(sitting),
        '{"answers": {"y": "1\\u0000"}}',
        content_type="application/json",
    )
    assert nul.status_code == 400
    error = nul.json()["error"]
    assert error["code"] == "invalid_answers"
    assert "NUL character" in error["message"]
    assert error["details"]["parts"] == {"y": "contains a NUL character"}
    long = client.put(
        _url(sitting), {"answers": {"loss": "1" * (ANSWER_MAX_CHARS + 1)}}, format="json"
    )
    assert long.status_code == 400
    assert f"longer than {ANSWER_MAX_CHARS:,} characters" in long.json()["error"]["message"]
    assert not AnswerDraft.objects.filter(attempt=sitting).exists()

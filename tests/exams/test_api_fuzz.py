"""Random bodies and answer text never make the API fail: every answer is a 2xx or a 4xx
in the one error shape."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from exams.api.throttles import SubmissionRateThrottle

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
ANSWER_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
) | st.sampled_from(
    ["[" * 50 + "1" + "]" * 50, "(" * 500 + "1" + ")" * 500, "1e308*10", "--1", "[[1, 2], [3]]"]
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api(course, student, monkeypatch) -> APIClient:
    monkeypatch.setattr(SubmissionRateThrottle, "rate", "100000/min", raising=False)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(student)
    return client


@pytest.fixture
def attempt_id(api) -> int:
    return api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json").json()[
        "id"
    ]


def assert_handled(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.django_db
@FUZZ
@given(body=JSON_VALUES)
def test_any_json_body_is_handled(api, attempt_id, body):
    for path in (f"/api/v1/attempts/{attempt_id}/submissions/", "/api/v1/attempts/"):
        assert_handled(api.generic("POST", path, json.dumps(body), "application/json"))


@pytest.mark.django_db
@FUZZ
@given(y=ANSWER_TEXT, loss=ANSWER_TEXT)
def test_any_answer_text_is_accepted_or_refused_naming_the_part(api, attempt_id, y, loss):
    response = api.post(
        f"/api/v1/attempts/{attempt_id}/submissions/",
        {"answers": {"y": y, "loss": loss}},
        format="json",
    )
    assert_handled(response)
    if response.status_code == 400:
        error = response.json()["error"]
        if error["code"] == "no_answers":
            assert not y.strip() and not loss.strip()
        else:
            assert set(error["details"]["parts"]) <= {"y", "loss"}

"""Every answer under /api/ is JSON in the one error shape, and bad input is never a 500."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from exams import selectors

DEEP = "[" * 3000 + "]" * 3000


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"] and isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def api(student, course) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(student)
    return client


@pytest.fixture
def attempt_id(api) -> int:
    response = api.post("/api/v1/attempts/", {"question": "demo-linear-neuron"}, format="json")
    return response.json()["id"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/v1/", "/api/v1/no-such-thing/", "/api/v2/x"]
)
def test_unknown_api_urls_are_json_404s(api, path):
    error = assert_error_shape(api.get(path), 404, "not_found")
    assert path in error["message"] and "/api/v1/schema/" in error["message"]


@pytest.mark.django_db
def test_pages_outside_the_api_keep_html_404s(api):
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_wrong_method_is_a_json_405(api, attempt_id):
    assert_error_shape(api.delete(f"/api/v1/attempts/{attempt_id}/"), 405, "method_not_allowed")
    assert_error_shape(api.put("/api/v1/courses/", {}, format="json"), 405)


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_a_json_413(api, attempt_id):
    body = '{"answers": {"y": "' + "1" * 2000 + '"}}'
    response = api.generic(
        "POST", f"/api/v1/attempts/{attempt_id}/submissions/", body, "application/json"
    )
    error = assert_error_shape(response, 413, "request_too_large")
    assert error["details"] == {"limit_bytes": 1000}


@pytest.mark.django_db
def test_our_own_failure_is_a_json_500_that_blames_no_one_else(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "course_list_for_user", broken)
    error = assert_error_shape(api.get("/api/v1/courses/"), 500, "server_error")
    assert "database" not in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [DEEP, '{"answers": ' + DEEP + "}", '{"question": "x", "answers": {"a": ' + DEEP + "}}"]
)
@pytest.mark.parametrize("endpoint", ["submissions/", "run-tests/", None])
def test_deeply_nested_json_is_a_400(api, attempt_id, body, endpoint):
    path = "/api/v1/attempts/" + (f"{attempt_id}/{endpoint}" if endpoint else "")
    error = assert_error_shape(api.generic("POST", path, body, "application/json"), 400)
    assert error["code"] == "parse_error" and "nested" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        r'{"answers": {"y": "\ud800", "loss": "0.5"}}',
        r'{"answers": {"\udfff": "1"}}',
        '{"question": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
)
def test_lone_surrogates_and_very_deep_bodies_are_400s(api, attempt_id, body):
    path = f"/api/v1/attempts/{attempt_id}/submissions/"
    error = assert_error_shape(api.generic("POST", path, body, "application/json"), 400)
    assert error["code"] == "parse_error"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer", [DEEP, "(" * 3000 + "1" + ")" * 3000, "1e999999", "2^2^2^2^2^2^2^2^2", "\x00"]
)
def test_hostile_answer_text_is_a_format_error_naming_the_part(api, attempt_id, answer):
    response = api.post(
        f"/api/v1/attempts/{attempt_id}/submissions/",
        {"answers": {"y": answer, "loss": "0.5"}},
        format="json",
    )
    error = assert_error_shape(response, 400, "invalid_answers")
    assert set(error["details"]["parts"]) == {"y"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", ["null", "1", '"x"', "NaN", '{"answers": null}', '{"question": ["a"], "answers": {}}']
)
def test_bodies_of_the_wrong_type_are_400s(api, attempt_id, body):
    path = f"/api/v1/attempts/{attempt_id}/submissions/"
    assert_error_shape(api.generic("POST", path, body, "application/json"), 400)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", ["99999999999999999999999", "-1", str(2**48), "abc", "1e5", ""])
def test_a_preview_seed_outside_the_variant_range_is_a_400_with_a_message(course, instructor, seed):
    client = Client()
    client.force_login(instructor)
    response = client.get(
        f"/instructor/courses/{course.slug}/questions/demo-linear-neuron/", {"seed": seed}
    )
    assert response.status_code == 400
    assert "The seed must be a whole number from 0 to 281474976710655" in response.content.decode()


@pytest.mark.django_db
def test_the_largest_seed_previews(course, instructor):
    client = Client()
    client.force_login(instructor)
    url = f"/instructor/courses/{course.slug}/questions/demo-linear-neuron/"
    assert client.get(url, {"seed": str(2**48 - 1)}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_the_api_answers_json_even_to_a_browser(api, attempt_id, accept):
    """DRF's browsable API answered HTML to `Accept: text/html`, errors included."""
    ok = api.get("/api/v1/courses/", HTTP_ACCEPT=accept)
    assert ok["Content-Type"].startswith("application/json")
    missing = api.get("/api/v1/attempts/999999/", HTTP_ACCEPT=accept)
    assert missing["Content-Type"].startswith("application/json")
    assert "error" in missing.json()

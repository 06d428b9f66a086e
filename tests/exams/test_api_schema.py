"""The OpenAPI schema documents every response of every operation, and validates cleanly.

A new endpoint without output serializers (or with a response drf-spectacular cannot
describe) makes `manage.py spectacular --fail-on-warn` fail, and so this test.
"""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

SCHEMA_URL = "/api/v1/schema/"
ERROR_REF = "#/components/schemas/Error"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_schema_generates_and_validates_without_a_warning(schema):
    assert operations(schema), "the schema lists no operation"


def test_every_success_response_has_a_documented_body(schema):
    for method, path, operation in operations(schema):
        successes = {code: r for code, r in operation["responses"].items() if code < "300"}
        assert successes, f"{method} {path} documents no success response"
        for code, response in successes.items():
            if code == "204":
                continue
            body = response.get("content", {}).get("application/json", {}).get("schema")
            assert body, f"{method} {path} {code} has no response body schema"


def test_every_error_response_has_the_one_error_shape(schema):
    shape = schema["components"]["schemas"]["Error"]
    assert shape["required"] == ["error"]
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "details"}
    for method, path, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
        for code, response in errors.items():
            content = response["content"]["application/json"]["schema"]
            assert content == {"$ref": ERROR_REF}, f"{method} {path} {code}"
            assert response["description"], f"{method} {path} {code} is not described"


def test_errors_that_follow_from_how_an_operation_is_built_are_documented(schema):
    for method, path, operation in operations(schema):
        codes = set(operation["responses"])
        if operation.get("security") and {} not in operation["security"]:
            assert "403" in codes, f"{method} {path}"
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in codes, f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= codes, f"{method} {path}"
        if "429" in codes:
            assert "Retry-After" in operation["responses"]["429"]["headers"], f"{method} {path}"


def test_throttled_operations_document_429(schema):
    throttled = {
        ("POST", "/api/v1/attempts/"),
        ("POST", "/api/v1/attempts/{attempt_id}/submissions/"),
        ("POST", "/api/v1/attempts/{attempt_id}/run-tests/"),
    }
    for method, path, operation in operations(schema):
        if (method, path) in throttled:
            assert "429" in operation["responses"], f"{method} {path}"


def test_the_served_schema_is_the_generated_one(client, schema):
    response = client.get(SCHEMA_URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["paths"].keys() == schema["paths"].keys()

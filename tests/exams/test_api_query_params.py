"""Paged lists take `page_size` from 1 to 200 and filters take their documented values, and
refuse anything else (found by schemathesis: DRF's cursor pagination silently used the default
for `page_size=false`, and an empty `mode` or `role` filtered nothing)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/courses/nndl/attempts/", "/api/v1/courses/nndl/marks/"])
@pytest.mark.parametrize("page_size", ["false", "0", "-1", "201", "1.5", ""])
def test_a_page_size_out_of_range_is_a_400_naming_it(course, instructor, api_for, url, page_size):
    response = api_for(instructor).get(url, {"page_size": page_size})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_query" and "page_size" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/courses/nndl/attempts/", "/api/v1/courses/nndl/marks/"])
def test_a_page_size_in_range_is_used(course, instructor, api_for, url):
    response = api_for(instructor).get(url, {"page_size": "200"})
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/courses/nndl/attempts/?mode=", "/api/v1/courses/nndl/enrolments/?role="]
)
def test_an_empty_filter_value_is_a_400(course, instructor, api_for, url):
    response = api_for(instructor).get(url)
    assert response.status_code == 400, response.content

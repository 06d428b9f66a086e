"""Variants built by the real worker: an attempt started over the API becomes ready by itself
and its submission is marked; an exam prepared ahead opens on the variants built for it."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from exams import selectors, services
from exams.models import Attempt, Variant

DEMO = "demo-linear-neuron"
WITHIN_S = 60


def _poll(check, what: str):  # noqa: ANN001, ANN202 - a callable returning a value or None
    deadline = time.monotonic() + WITHIN_S
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} not within {WITHIN_S} s")


@pytest.mark.integration
@pytest.mark.variants_in_background
def test_variants_are_built_by_the_worker_for_attempts_and_prepared_exams(
    celery_worker, course, student, other_student, make_paper
):
    api = APIClient()
    api.force_authenticate(student)
    started = api.post("/api/v1/attempts/", {"question": DEMO}, format="json")
    assert started.status_code == 201
    question = started.json()["questions"][0]
    assert question["variant_status"] in ("preparing", "ready")

    def variant_shown():  # noqa: ANN202
        response = api.get(question["variant_url"])
        if response.status_code == 200:
            return response.json()
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] == "variant_preparing"
        assert int(response["Retry-After"]) >= 1
        return None

    shown = _poll(variant_shown, "the variant built")
    variant = Variant.objects.get()
    assert variant.state == Variant.State.READY and shown["statement_md"] == variant.statement_md
    exact = variant.reference["exact"]
    accepted = api.post(
        f"/api/v1/attempts/{started.json()['id']}/submissions/",
        {"answers": {"y": f"{exact['y']:.2f}", "loss": f"{exact['loss']:.2f}"}},
        format="json",
    )
    assert accepted.status_code == 202

    def graded():  # noqa: ANN202
        body = api.get(accepted.json()["status_url"]).json()
        return body if body["status"] == "graded" else None

    marked = _poll(graded, "the submission marked")
    assert marked["score"] == marked["max_score"] == 2.0

    paper = make_paper("Final", minutes=30)
    prepared = services.exam_variants_prepare(paper=paper)
    assert prepared.requested == 2  # two enrolled students, one question
    _poll(
        lambda: selectors.paper_exam_variants_status(paper=paper)["ready"] == 2 or None,
        "the exam variants built",
    )
    sitting = api.post(
        f"/api/v1/courses/{course.slug}/attempts/", {"paper": paper.slug, "mode": "exam"}
    )
    assert sitting.status_code == 201
    held = services.attempt_variant(
        attempt=Attempt.objects.get(pk=sitting.json()["id"]), question=paper.questions.get()
    )
    assert held.pk in prepared.variant_ids and held.is_ready
    assert Variant.objects.count() == 3

"""Ten identical submissions with one Idempotency-Key, sent at once from ten threads over the
API against the real database: exactly one submission is stored, and all ten get its id."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from exams import services
from exams.models import Attempt, Membership, Submission

THREADS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_posts_store_one_submission(course, course_key, key_client):
    Membership.objects.filter(user__username="alice").update(external_id="s-alice")
    setup = key_client(course_key[1])
    attempt = setup.post(
        "/api/v1/courses/nndl/attempts/",
        {"question": "demo-linear-neuron", "student": "s-alice"},
        format="json",
    ).json()
    variant = services.attempt_variant(attempt=Attempt.objects.get(pk=attempt["id"]))
    answers = {label: f"{value:.4f}" for label, value in variant.reference["exact"].items()}
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def post() -> None:
        client = key_client(course_key[1])
        try:
            barrier.wait(timeout=60)
            response = client.post(
                attempt["submissions_url"],
                {"answers": answers},
                format="json",
                HTTP_IDEMPOTENCY_KEY="lms-retry-7f3a",
            )
            results.append((response.status_code, response.json()["id"]))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Submission.objects.count() == 1
    stored = Submission.objects.get()
    assert stored.idempotency_key == "lms-retry-7f3a"
    assert sorted(status for status, _ in results) == [200] * (THREADS - 1) + [202]
    assert {submission_id for _, submission_id in results} == {stored.pk}

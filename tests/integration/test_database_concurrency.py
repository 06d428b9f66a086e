"""Twenty students save drafts and submit at the same moment over real HTTP (the live server,
one thread and one database connection per request): every request succeeds and every row is
stored once. On SQLite this is what WAL mode and IMMEDIATE transactions with a busy timeout
(config/settings.py) buy: no "database is locked"; `make test` runs it on PostgreSQL too."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from autosave.models import AnswerDraft
from exams import services
from exams.models import Attempt, Membership, Submission

CLIENTS = 20
HTTP_TIMEOUT_S = 120


def _request(url: str, token: str, method: str, body: dict, headers: dict | None = None):  # noqa: ANN202
    """(status, JSON body) of one HTTP request; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:2000]


@pytest.mark.integration
@pytest.mark.slow
def test_twenty_clients_saving_and_submitting_at_once_all_succeed(
    broker, live_server, course, demo_question, make_paper
):
    # One variant for all (the original numbers), built before the burst: only writes race.
    paper = make_paper("Burst", minutes=None, original=True)
    clients = []
    for number in range(CLIENTS):
        student = get_user_model().objects.create_user(username=f"student-{number:02d}")
        Membership.objects.create(course=course, user=student, role=Membership.Role.STUDENT)
        attempt = services.attempt_start_paper(
            student=student, paper=paper, mode=Attempt.Mode.PRACTICE
        )
        services.attempt_variant(attempt=attempt, question=demo_question)
        clients.append((attempt, Token.objects.create(user=student).key))
    barrier = threading.Barrier(CLIENTS)
    outcomes: dict[int, list[tuple[str, int, object]]] = {}
    errors: list[BaseException] = []

    def client(attempt, token: str) -> None:  # noqa: ANN001
        base = f"{live_server.url}/api/v1/attempts/{attempt.pk}"
        draft_url = f"{base}/drafts/{demo_question.slug}/"
        retry_key = {"Idempotency-Key": f"burst-{attempt.pk}"}
        submission = {"question": demo_question.slug, "answers": {"y": "1.5", "loss": "2.5"}}
        steps = [
            ("draft", draft_url, "PUT", {"answers": {"y": "1.5"}}, None),
            ("submit", f"{base}/submissions/", "POST", submission, retry_key),
            ("draft", draft_url, "PUT", {"answers": {"loss": "3"}}, None),
            ("resubmit", f"{base}/submissions/", "POST", submission, retry_key),
        ]
        try:
            barrier.wait(timeout=60)
            outcomes[attempt.pk] = [
                (name, *_request(url, token, method, body, headers))
                for name, url, method, body, headers in steps
            ]
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=client, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    failed = {
        pk: [(name, status, body) for name, status, body in steps if not 200 <= status < 300]
        for pk, steps in outcomes.items()
    }
    assert {pk: steps for pk, steps in failed.items() if steps} == {}
    assert len(outcomes) == CLIENTS
    for steps in outcomes.values():
        (_, _, submitted), (_, retried, resubmitted) = steps[1], steps[3]
        assert retried == 200 and resubmitted["id"] == submitted["id"]
    assert Submission.objects.count() == CLIENTS
    assert sorted(Submission.objects.values_list("attempt_id", flat=True)) == sorted(outcomes)
    assert AnswerDraft.objects.count() == CLIENTS
    assert {draft.answers["loss"] for draft in AnswerDraft.objects.all()} == {"3"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)

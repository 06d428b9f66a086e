"""schemathesis against the live schema, served by the real app on 127.0.0.1: for every
operation, generated requests (valid and invalid) as a student, as an instructor (personal
tokens) and as the course's API key never get a 5xx, and every response's status, headers and
body are the ones the schema documents.

Generated ids and slugs mostly name nothing (404s); some are swapped for ones of the student's
real attempts, submissions, course and questions, so successful responses are checked too.
Submissions are queued on a real Redis (no worker: they stay pending beside the marked ones).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from exams.api.throttles import AttemptStartThrottle, SubmissionRateThrottle
from exams.models import Membership
from tests.exams.api_world import ApiWorld, build_api_world

# Answers and code are checked against the variant's parts (labels, number formats, code that
# compiles), which no JSON schema can say: such a schema-valid request is rightly a 400.
EXCLUDED_CHECKS = [positive_data_acceptance]
TURNS = itertools.count()
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Per operation and generation mode, each example sent with three credentials: about 50 s
# for the whole run on a busy 2-core machine.
MAX_EXAMPLES = 15


# The responses' conformance to the schema does not depend on the database; the fuzz is the
# costliest integration test, so the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def api_world(transactional_db, broker, live_server, course, student, instructor, monkeypatch):
    # Generous limits so generated requests reach the views; 429s are still documented.
    monkeypatch.setattr(SubmissionRateThrottle, "rate", "100000/min", raising=False)
    monkeypatch.setattr(AttemptStartThrottle, "rate", "100000/min", raising=False)
    # A generated `wait` on a pending submission would hold each request for up to 25 s.
    monkeypatch.setattr(django_settings, "SUBMISSION_WAIT_MAX_S", 0.2)
    return build_api_world(course=course, student=student, instructor=instructor)


def _sometimes_real(generated: Any, real: list[Any]) -> Any:
    """One of `real` in turn, or the generated value itself (every other call or so).

    Only a well-formed value (an int id, a slug) is swapped: a malformed one is what a negative
    case is testing, and must reach the API as generated.
    """
    well_formed = (isinstance(generated, int) and not isinstance(generated, bool)) or (
        isinstance(generated, str) and SLUG.fullmatch(generated)
    )
    if not well_formed:
        return generated
    choice = next(TURNS) % (len(real) + 1)
    return real[choice] if choice < len(real) else generated


def _point_at_real_things(case: Any, world: ApiWorld) -> None:
    # Each call sends a real token; a generated session cookie would be a second credential.
    if case.cookies:
        case.cookies.clear()
    real = {
        "attempt_id": [attempt.pk for attempt in world.attempts],
        "submission_id": [submission.pk for submission in world.submissions],
        "slug": [world.course.slug],
        "question_slug": [question.slug for question in world.questions],
        "paper_slug": [world.paper.slug],
        "external_id": list(
            Membership.objects.filter(course=world.course).values_list("external_id", flat=True)
        ),
    }
    # A broken path or body is what a negative case tests: it must reach the API as generated.
    meta = case.meta
    negative_path = meta is not None and meta.is_negative_at(ParameterLocation.PATH)
    negative_body = meta is not None and meta.is_negative_at(ParameterLocation.BODY)
    for name, value in (case.path_parameters or {}).items():
        if name in real and not negative_path:
            case.path_parameters[name] = _sometimes_real(value, real[name])
    if isinstance(case.body, dict) and "question" in case.body and not negative_body:
        slugs = [question.slug for question in world.questions]
        case.body["question"] = _sometimes_real(case.body["question"], slugs)


def _check_operation(operation: Any, mode: GenerationMode, world: ApiWorld) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:  # noqa: ANN401
        _point_at_real_things(case, world)
        for authorization in (
            f"Token {world.student_token}",
            f"Token {world.instructor_token}",
            f"Api-Key {world.api_key}",
        ):
            case.call_and_validate(
                headers={"Authorization": authorization}, excluded_checks=EXCLUDED_CHECKS
            )

    try:
        check()
    except Unsatisfiable:
        # Nothing to break: no parameters or body, or none that can be broken and still sent
        # (a slug in the path that stops matching its pattern is no longer a path).
        if mode != GenerationMode.NEGATIVE:
            raise
    except Exception:
        print(f"while checking {operation.label} ({mode.value})")
        raise


@pytest.mark.integration
@pytest.mark.slow
def test_every_response_is_documented_and_no_request_fails_on_our_side(api_world, live_server):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _check_operation(operation, mode, api_world)

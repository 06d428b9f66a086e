"""LTI grade passback on the real stack: a student launches from the simulated platform into
the live tool, submits on the attempt page, a real Celery worker marks it, and the follow-up
task posts the score to the line item the launch named, after getting a token whose client
assertion the platform verifies against the tool's JWKS URL (all served in this process)."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from lti_tool.models import LtiDeployment, LtiLineItem, LtiRegistration

from exams.models import Attempt, Submission
from lti_grades.models import ScorePassback
from tests.conftest import DEMO_SLUG
from tests.lti.links import course_linked_to_context
from tests.lti.platform.launch import login_and_launch
from tests.lti.platform.server import LTI, SimulatedPlatform
from tests.lti.platform.services import SCOPE_SCORE, PlatformServices
from tests.variant_wait import built_variant

WITHIN_S = 90
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def wait_for(condition, what: str):
    deadline = time.monotonic() + WITHIN_S
    while time.monotonic() < deadline:
        outcome = condition()
        if outcome:
            return outcome
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WITHIN_S} s")


def submit_on_page(session, page_url: str, answers: dict[str, str]) -> None:
    page = session.get(page_url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "question": DEMO_SLUG}
    form.update({f"answer_{label}": value for label, value in answers.items()})
    posted = session.post(page_url + "submit/", data=form, headers={"Referer": page_url})
    assert posted.status_code == 200, posted.text


@pytest.mark.integration
@pytest.mark.slow
def test_launched_attempt_marked_by_the_worker_reaches_the_gradebook_once(
    start_worker, live_server, demo_question
):
    with SimulatedPlatform() as platform:
        platform.tool_keyset_url = live_server.url + "/lti/jwks/"
        services = PlatformServices(platform)
        services.add_context("course-101")
        item = services.add_line_item("course-101", label="Linear neuron", score_maximum=2)
        registration = LtiRegistration.objects.create(
            name="Simulated LMS",
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_url=platform.auth_url,
            token_url=platform.token_url,
            keyset_url=platform.keyset_url,
        )
        LtiDeployment.objects.create(
            registration=registration, deployment_id=platform.deployment_id, is_active=True
        )
        course_linked_to_context(registration, demo_question, "course-101")
        services.score_failures = [500]  # the platform fails once, then recovers
        start_worker(env={"LTI_PASSBACK_BACKOFF_S": "0.5"})

        launched = login_and_launch(
            platform,
            live_server.url,
            claims={
                LTI + "custom": {"question": DEMO_SLUG},
                AGS: {"scope": [SCOPE_SCORE], "lineitem": item["id"]},
            },
        )
        assert launched.response.status_code == 302, launched.response.text
        page_url = live_server.url + launched.response.headers["Location"]
        attempt = Attempt.objects.get()
        exact = built_variant(attempt=attempt).reference["exact"]
        answers = {"y": f"{exact['y']:.2f}", "loss": "123456"}

        submit_on_page(launched.session, page_url, answers)
        (body,) = wait_for(lambda: services.scores_for(item["id"]), "a score at the platform")

        assert body["userId"] == "learner-1"
        assert body["scoreGiven"] == 1.0 and body["scoreMaximum"] == 2.0
        assert body["activityProgress"] == "Submitted"
        assert body["gradingProgress"] == "FullyGraded"
        assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
        row = wait_for(
            lambda: ScorePassback.objects.filter(status=ScorePassback.Status.SENT).first(),
            "the passback recorded as sent",
        )
        assert row.line_item == LtiLineItem.objects.get(url=item["id"])  # the launch's
        assert row.tries == 2 and row.error == "" and row.sent_payload == body  # 500, then sent
        assert [r["outcome"] for r in services.token_requests] == ["granted"]

        submit_on_page(launched.session, page_url, answers)  # the same score again
        wait_for(
            lambda: (
                Submission.objects.filter(status=Submission.Status.GRADED).count() == 2
                and ScorePassback.objects.get(pk=row.pk).updated_at > row.updated_at
            ),
            "the second marking's passback refresh",
        )

        assert len(services.scores) == 1
        assert ScorePassback.objects.get(pk=row.pk).status == ScorePassback.Status.SENT

"""An LTI-linked course whose line item lives on the simulated platform, without a browser.

The rows a launch would have made (registration, deployment, context, resource link, line
item, LTI user, the attempt's launch) are created directly; tests/lti covers the launch itself.
The platform serves the token, AGS and NRPS endpoints (tests/lti/platform/services.py) and
checks the tool's client assertions against the tool's JWKS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from lti_tool.models import (
    Key,
    LtiContext,
    LtiDeployment,
    LtiLineItem,
    LtiRegistration,
    LtiResourceLink,
    LtiUser,
)

from exams import services as exam_services
from exams.models import Attempt, Course
from lti import services as lti_services
from lti.models import LtiAttemptLaunch, LtiContextCourse
from tests.lti.platform.server import SimulatedPlatform
from tests.lti.platform.services import PlatformServices

CONTEXT_ID = "course-101"


@dataclass
class LtiLink:
    """The LTI rows of one resource link with a line item, and the platform behind them."""

    platform: SimulatedPlatform
    services: PlatformServices
    registration: LtiRegistration
    context: LtiContext
    resource_link: LtiResourceLink
    line_item: LtiLineItem

    def lti_user(self, user: Any, sub: str) -> LtiUser:
        """The LTI user `sub` of the registration, linked to our `user`."""
        lti_user, _ = LtiUser.objects.update_or_create(
            registration=self.registration, sub=sub, defaults={"auth_user": user}
        )
        return lti_user

    def launch(self, attempt: Attempt, lti_user: LtiUser) -> None:
        """Record that `attempt` was started from this link (as a launch does)."""
        LtiAttemptLaunch.objects.get_or_create(
            resource_link=self.resource_link, lti_user=lti_user, attempt=attempt
        )


def tool_jwks() -> dict[str, Any]:
    """The tool's JWKS now (the platform holds a copy, as one registered by pasting it)."""
    lti_services.tool_key_ensure()
    return Key.objects.as_jwks()


@pytest.fixture
def platform():
    with SimulatedPlatform() as simulated:
        yield simulated


def link_course(platform: SimulatedPlatform, course: Course, jwks: dict[str, Any]) -> LtiLink:
    """Register the platform and link `course` to its context, with one line item."""
    services = PlatformServices(platform, tool_jwks=jwks)
    services.add_context(CONTEXT_ID)
    item = services.add_line_item(CONTEXT_ID, label="Linear neuron", score_maximum=2)
    registration = LtiRegistration.objects.create(
        name="Simulated LMS",
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_url=platform.auth_url,
        token_url=platform.token_url,
        keyset_url=platform.keyset_url,
    )
    deployment = LtiDeployment.objects.create(
        registration=registration, deployment_id=platform.deployment_id, is_active=True
    )
    context = LtiContext.objects.create(
        deployment=deployment,
        id_on_platform=CONTEXT_ID,
        title="Neural Networks 101",
        memberships_url=services.memberships_url(CONTEXT_ID),
        lineitems_url=services.lineitems_url(CONTEXT_ID),
        can_publish_scores=True,
    )
    LtiContextCourse.objects.create(context=context, course=course)
    resource_link = LtiResourceLink.objects.create(
        context=context, id_on_platform="link-1", title="Linear neuron"
    )
    line_item = LtiLineItem.objects.create(
        context=context,
        url=item["id"],
        maximum_score=2,
        label="Linear neuron",
        resource_link=resource_link,
    )
    return LtiLink(platform, services, registration, context, resource_link, line_item)


@pytest.fixture
def link(platform, course) -> LtiLink:
    return link_course(platform, course, tool_jwks())


@pytest.fixture
def launched_attempt(link, course, student, demo_question) -> Attempt:
    """The student's practice attempt at the demo question, started from the link."""
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=demo_question
    )
    link.launch(attempt, link.lti_user(student, "learner-1"))
    return attempt

"""A simulated platform registered in the tool, and the tool served by the live server."""

from __future__ import annotations

import pytest
from lti_tool.models import LtiDeployment, LtiRegistration

from exams.models import Course
from tests.lti.links import course_linked_to_context
from tests.lti.platform.server import SimulatedPlatform


@pytest.fixture
def platform(live_server):
    with SimulatedPlatform() as simulated:
        simulated.tool_keyset_url = live_server.url + "/lti/jwks/"
        yield simulated


@pytest.fixture
def registration(platform) -> LtiRegistration:
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
    return registration


@pytest.fixture
def linked_course(registration, demo_question) -> Course:
    """The course the platform's default context (course-101) is linked to by an administrator
    (as docs/lms.md says): it offers the demo question."""
    return course_linked_to_context(registration, demo_question, "course-101")


@pytest.fixture
def tool(live_server, registration, demo_question, linked_course) -> str:
    """The tool's base URL, with the platform registered, the demo question in the bank, and
    the platform's course-101 linked to a course offering it."""
    return live_server.url

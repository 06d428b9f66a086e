"""A simulated platform registered in the tool, and the tool served by the live server."""

from __future__ import annotations

import pytest
from lti_tool.models import LtiDeployment, LtiRegistration

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
def tool(live_server, registration, demo_question) -> str:
    """The tool's base URL, with the platform registered and the demo question in the bank."""
    return live_server.url

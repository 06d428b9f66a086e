"""Registrations and their deployments are entered in the admin (django-lti's admin)."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from lti_tool.models import LtiDeployment, LtiRegistration


def test_admin_creates_a_registration_with_a_deployment(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw-root-123")
    client.force_login(admin)
    form = client.get("/admin/lti_tool/ltiregistration/add/")
    assert form.status_code == 200

    response = client.post(
        "/admin/lti_tool/ltiregistration/add/",
        {
            "name": "Canvas",
            "uuid": str(uuid.uuid4()),
            "issuer": "https://canvas.instructure.com",
            "client_id": "10000000000042",
            "audience": "",
            "auth_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "token_url": "https://sso.canvaslms.com/login/oauth2/token",
            "keyset_url": "https://sso.canvaslms.com/api/lti/security/jwks",
            "is_active": "on",
            "public_key": "",
            "private_key": "",
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "0",
            "deployments-MIN_NUM_FORMS": "0",
            "deployments-MAX_NUM_FORMS": "1000",
            "deployments-0-deployment_id": "42:abcdef",
            "deployments-0-is_active": "on",
            "deployments-0-pns_url": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    registration = LtiRegistration.objects.get(client_id="10000000000042")
    assert registration.issuer == "https://canvas.instructure.com"
    deployment = LtiDeployment.objects.get(registration=registration)
    assert (deployment.deployment_id, deployment.is_active) == ("42:abcdef", True)


def test_admin_names_our_lti_models_in_proper_english(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw-root-123")
    client.force_login(admin)

    index = client.get("/admin/").content.decode()

    for name in ("LTI attempt launches", "LTI link targets", "LTI contexts&#x27; courses"):
        assert name in index
    assert "launchs" not in index.lower()

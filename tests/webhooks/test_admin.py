"""The admin: registering an endpoint shows its secret once; deliveries are replayed (same
message id, a new attempt) and failed ones resent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from tests.webhooks.receiver import verify
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import send_delivery

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def admin_client_logged_in(db) -> Client:
    get_user_model().objects.create_superuser("root", "root@example.edu", "pw-root-admin")
    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_adding_an_endpoint_shows_its_secret_once(
    admin_client_logged_in, course, receiver, loopback_allowed
):
    response = admin_client_logged_in.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"course": course.pk, "url": receiver.url(), "description": "Moodle", "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert any(endpoint.secret in m for m in _messages(response))
    change = admin_client_logged_in.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()


def test_adding_a_private_url_is_refused_in_the_form(admin_client_logged_in, course, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = admin_client_logged_in.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"course": course.pk, "url": "http://127.0.0.1:9/hook", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_replay_sends_a_succeeded_delivery_again_with_the_same_message_id(
    admin_client_logged_in, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    assert send_delivery(delivery.pk) == "succeeded"

    with django_capture_on_commit_callbacks() as enqueued:
        response = admin_client_logged_in.post(
            CHANGELIST,
            {"action": "replay_deliveries", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert any("queued to be sent again" in m for m in _messages(response))
    assert len(enqueued) == 1
    assert send_delivery(delivery.pk) == "succeeded"

    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert first.body == second.body
    assert verify(secret=endpoint.secret, headers=second.headers, body=second.body)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.attempt_log.count() == 2


def test_resend_failed_sends_only_the_failed_ones(
    admin_client_logged_in, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (failed,) = services.deliveries_create_for_marking(submission=marked)
        (waiting,) = services.deliveries_create_for_marking(submission=marked)
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status="failed", next_attempt_at=None, attempts=failed.max_attempts
    )
    with django_capture_on_commit_callbacks() as enqueued:
        admin_client_logged_in.post(
            CHANGELIST,
            {"action": "resend_failed_deliveries", "_selected_action": [failed.pk, waiting.pk]},
        )
    assert len(enqueued) == 1
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.max_attempts == failed.attempts + 1
    assert send_delivery(failed.pk) == "succeeded"
    assert [r.headers["webhook-id"] for r in receiver.requests] == [failed.message_id]


def test_the_delivery_page_shows_every_attempt(
    admin_client_logged_in, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    send_delivery(delivery.pk)
    page = admin_client_logged_in.get(f"{CHANGELIST}{delivery.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert delivery.message_id in html and "webhook delivery attempts" in html.lower()
    assert admin_client_logged_in.get(CHANGELIST).status_code == 200

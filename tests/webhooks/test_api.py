"""REST: a course key or instructor registers, lists, changes and deletes the course's webhook
endpoints and reads and resends their deliveries; nobody else reaches them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api_keys import services as key_services
from exams.models import Course, Membership
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import send_delivery

pytestmark = pytest.mark.django_db

BASE = "/api/v1/courses/{slug}/webhooks/"


def _key_client(course: Course) -> APIClient:
    _, key = key_services.api_key_create(course=course, name="LMS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def lms(course) -> APIClient:
    return _key_client(course)


@pytest.fixture
def other_course(make_user) -> Course:
    other = Course.objects.create(slug="other", title="Other course")
    Membership.objects.create(
        course=other, user=make_user("other-prof"), role=Membership.Role.INSTRUCTOR
    )
    return other


def test_a_course_key_registers_an_endpoint_and_sees_its_secret_once(lms, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    created = lms.post(
        BASE.format(slug="nndl"), {"url": receiver.url(), "description": "Canvas"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    assert body["url"] == receiver.url() and body["is_active"] is True
    assert body["description"] == "Canvas"

    listed = lms.get(BASE.format(slug="nndl"))
    assert listed.status_code == 200
    assert listed.json() == [{k: v for k, v in body.items() if k != "secret"}]
    detail = lms.get(f"{BASE.format(slug='nndl')}{endpoint.pk}/")
    assert detail.status_code == 200 and "secret" not in detail.json()
    assert endpoint.secret not in listed.content.decode() + detail.content.decode()


def test_an_instructor_manages_endpoints_too(
    course, api_for, instructor, receiver, loopback_allowed
):
    api = api_for(instructor)
    created = api.post(BASE.format(slug="nndl"), {"url": receiver.url()}, format="json")
    assert created.status_code == 201, created.content
    endpoint_url = f"{BASE.format(slug='nndl')}{created.json()['id']}/"
    turned_off = api.patch(endpoint_url, {"is_active": False}, format="json")
    assert turned_off.status_code == 200 and turned_off.json()["is_active"] is False
    assert api.delete(endpoint_url).status_code == 204
    gone = api.get(endpoint_url)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "webhook_not_found"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("not a url", 400, "invalid"),
        ("ftp://lms.example.edu/hook", 400, "invalid_webhook_url"),
        ("http://127.0.0.1:8000/hook", 400, "webhook_url_refused"),
        ("http://10.1.2.3/hook", 400, "webhook_url_refused"),
        ("http://localhost/hook", 400, "webhook_url_refused"),
        ("http://[::1]/hook", 400, "webhook_url_refused"),
        ("http://[::127.0.0.1]:18520/", 400, "webhook_url_refused"),
        ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", 400, "webhook_url_refused"),
        ("http://[::ffff:0:a9fe:a9fe]/", 400, "webhook_url_refused"),
        ("http://[2002:a9fe:a9fe::]/", 400, "webhook_url_refused"),
        ("http://[fec0::1]/", 400, "webhook_url_refused"),
        ("http://100.100.100.200/", 400, "webhook_url_refused"),
        ("http://LOCALHOST/", 400, "webhook_url_refused"),
    ],
)
def test_a_bad_or_private_url_is_refused_with_a_reason(lms, settings, url, status, code):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = lms.post(BASE.format(slug="nndl"), {"url": url}, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["http://93.184.215.14/hook", "http://[2606:4700:4700::1111]/", "http://[64:ff9b::101:101]/"],
)
def test_a_public_address_in_any_form_is_registered(lms, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = lms.post(BASE.format(slug="nndl"), {"url": url}, format="json")
    assert response.status_code == 201, response.content


def test_a_url_registered_twice_is_a_conflict(lms, receiver, loopback_allowed):
    assert lms.post(BASE.format(slug="nndl"), {"url": receiver.url()}).status_code == 201
    again = lms.post(BASE.format(slug="nndl"), {"url": receiver.url()}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "webhook_exists"


def test_no_credentials_is_401(course):
    response = APIClient().get(BASE.format(slug="nndl"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_another_courses_key_can_neither_list_nor_register(
    course, other_course, endpoint, receiver
):
    other_key = _key_client(other_course)
    for response in (
        other_key.get(BASE.format(slug="nndl")),
        other_key.post(BASE.format(slug="nndl"), {"url": receiver.url("/x")}, format="json"),
        other_key.get(f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/"),
        other_key.delete(f"{BASE.format(slug='nndl')}{endpoint.pk}/"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "course_not_found"
    # Its own course does not reach this course's endpoint either.
    foreign = other_key.get(f"{BASE.format(slug='other')}{endpoint.pk}/")
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "webhook_not_found"
    assert WebhookEndpoint.objects.get() == endpoint


def test_students_are_refused_and_other_instructors_get_not_found(
    api_for, student, other_course, endpoint, receiver
):
    other_prof = Membership.objects.get(course=other_course).user
    for user, status, code in (
        (student, 403, "instructors_only"),
        (other_prof, 404, "course_not_found"),
    ):
        response = api_for(user).post(
            BASE.format(slug="nndl"), {"url": receiver.url("/y")}, format="json"
        )
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
    assert WebhookEndpoint.objects.count() == 1


def test_deliveries_are_listed_newest_first_filtered_and_paginated(
    lms, endpoint, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        first = services.deliveries_create_for_marking(submission=marked)[0]
        second = services.deliveries_create_for_marking(submission=marked)[0]
    WebhookDelivery.objects.filter(pk=first.pk).update(
        status="failed", next_attempt_at=None, last_error="HTTP 500"
    )
    url = f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/"
    page = lms.get(url)
    assert page.status_code == 200
    assert [d["id"] for d in page.json()["results"]] == [second.pk, first.pk]
    assert page.json()["next"] is None
    assert page.json()["results"][0]["payload"]["data"]["submission"]["id"] == marked.pk
    failed = lms.get(url, {"status": "failed"})
    assert [d["id"] for d in failed.json()["results"]] == [first.pk]
    bad = lms.get(url, {"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    detail = lms.get(f"{url}{first.pk}/")
    assert detail.status_code == 200 and detail.json()["last_error"] == "HTTP 500"


def test_a_failed_delivery_is_resent_with_the_same_message_id(
    lms, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", next_attempt_at=None, attempts=delivery.max_attempts
    )
    url = f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/{delivery.pk}/resend/"
    with django_capture_on_commit_callbacks() as enqueued:
        response = lms.post(url)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["max_attempts"] == delivery.max_attempts + 1
    assert len(enqueued) == 1
    assert send_delivery(delivery.pk) == "succeeded"
    (request,) = receiver.requests
    assert request.headers["webhook-id"] == delivery.message_id


def test_a_delivery_of_a_turned_off_endpoint_is_not_resent(
    lms, endpoint, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    services.webhook_endpoint_update(endpoint=endpoint, is_active=False)
    url = f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/{delivery.pk}/resend/"
    response = lms.post(url)
    assert response.status_code == 409 and response.json()["error"]["code"] == "webhook_inactive"


def test_a_delivery_whose_last_attempt_was_interrupted_can_be_resent(
    lms, endpoint, receiver, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.max_attempts,
        sending_until=timezone.now() - timedelta(seconds=1),
    )
    url = f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/{delivery.pk}/resend/"
    with django_capture_on_commit_callbacks():
        response = lms.post(url)
    assert response.status_code == 202, response.content
    assert send_delivery(delivery.pk) == "succeeded"
    assert len(receiver.requests) == 1


def test_a_delivery_being_sent_is_not_resent_meanwhile(
    lms, endpoint, marked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (delivery,) = services.deliveries_create_for_marking(submission=marked)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, sending_until=timezone.now() + timedelta(minutes=1)
    )
    url = f"{BASE.format(slug='nndl')}{endpoint.pk}/deliveries/{delivery.pk}/resend/"
    response = lms.post(url)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "delivery_in_flight"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "https://lms.example.edu/new-hook"}, ["url"]),
        ({"url": "https://lms.example.edu/new-hook", "description": "moved"}, ["url"]),
        ({"secret": "whsec_bm90IG1pbmU=", "is_active": False}, ["secret"]),
        ({"id": 99, "created_at": "2020-01-01T00:00:00Z"}, ["created_at", "id"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_changing_a_field_that_cannot_change_is_refused_not_ignored(lms, endpoint, body, fields):
    before = WebhookEndpoint.objects.values().get(pk=endpoint.pk)
    response = lms.patch(f"{BASE.format(slug='nndl')}{endpoint.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "field_not_writable" and error["details"] == {"fields": fields}
    assert all(field in error["message"] for field in fields)
    if "url" in fields:
        assert "register the new URL as a new endpoint" in error["message"]
    assert WebhookEndpoint.objects.values().get(pk=endpoint.pk) == before


def test_a_patch_of_the_writable_fields_still_works(lms, endpoint):
    response = lms.patch(
        f"{BASE.format(slug='nndl')}{endpoint.pk}/",
        {"description": "moved", "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.is_active) == ("moved", False)

"""Failed logins are limited per account and per address, on the site's and the admin's form."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from frontend.login_lockout import client_address

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED_TEXT = "Too many failed logins"


def login(path: str, username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_an_account_is_locked_after_too_many_failures_from_any_address(student, path):
    for attempt in range(LIMIT - 1):
        response = login(path, "alice", "wrong", address=f"10.0.1.{attempt}")
        assert response.status_code == 200 and LOCKED_TEXT not in response.content.decode()
    assert login(path, "alice", "wrong", address="10.0.1.99").status_code == 429
    refused = login(path, "alice", "pw-alice", address="10.0.2.1")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert LOCKED_TEXT in page and "minutes after your last attempt" in page
    assert "_auth_user_id" not in refused.client.session


@pytest.mark.django_db
def test_an_address_is_locked_after_too_many_failures_on_any_account(student, other_student):
    for attempt in range(LIMIT):
        login("/login/", f"nobody{attempt}", "wrong", address="10.0.3.3")
    assert login("/login/", "bob", "pw-bob", address="10.0.3.3").status_code == 429
    assert login("/login/", "bob", "pw-bob", address="10.0.3.4").status_code == 302


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock_and_a_success_starts_the_count_again(student):
    for _ in range(LIMIT - 1):
        login("/login/", "alice", "wrong")
    assert login("/login/", "alice", "pw-alice").status_code == 302
    for _ in range(LIMIT - 1):
        login("/login/", "alice", "wrong")
    assert login("/login/", "alice", "pw-alice").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "6.6.6.6", "10.9.9.9"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (1, "", "10.9.9.9"),
    ],
)
def test_the_address_is_the_one_the_trusted_proxies_saw(proxies, forwarded, address):
    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded
    )
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == address


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(student, other_student):
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for attempt in range(LIMIT):
        proxy.post(
            "/login/",
            {"username": f"nobody{attempt}", "password": "x"},
            HTTP_X_FORWARDED_FOR="6.6.6.6",
        )
    blocked = proxy.post(
        "/login/", {"username": "bob", "password": "pw-bob"}, HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1").post(
        "/login/", {"username": "bob", "password": "pw-bob"}, HTTP_X_FORWARDED_FOR="7.7.7.7"
    )
    assert other.status_code == 302

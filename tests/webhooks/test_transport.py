"""Which webhook targets are refused before anything is sent."""

from __future__ import annotations

import pytest

from webhooks import transport


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_addresses_that_are_not_public_are_refused(address):
    assert not transport.address_is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert transport.address_is_public(address)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://localhost/hook", "localhost"),
        ("https://api.localhost/hook", "localhost"),
        ("http://169.254.169.254/latest/meta-data/", "not a public address"),
        ("http://[::ffff:127.0.0.1]/hook", "not a public address"),
        ("ftp://lms.example.edu/hook", "Only http and https"),
        ("https://lms.example.edu:99999/hook", "port"),
    ],
)
def test_urls_refused_before_any_lookup(url, reason):
    assert reason in transport.literal_host_refused(url, allow_private=False)


def test_names_are_left_to_the_lookup_at_send_time_and_private_ones_can_be_allowed():
    assert (
        transport.literal_host_refused("https://lms.example.edu/hook", allow_private=False) is None
    )
    assert transport.literal_host_refused("http://127.0.0.1:9/hook", allow_private=True) is None

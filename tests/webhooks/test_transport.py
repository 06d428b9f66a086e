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


# IPv4 addresses written as IPv6, and other special-purpose ranges: each is refused at
# registration (a literal host) and at send time (what the name resolved to).
REFUSED_ADDRESSES = [
    "::127.0.0.1",  # IPv4-compatible
    "::a9fe:a9fe",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b:1::a00:1",  # local-use NAT64
    "::ffff:0:a9fe:a9fe",  # SIIT
    "::ffff:0:7f00:1",
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:0:a00:1:8000:63bf:f5ff:fffe",  # Teredo with a private server
    "fec0::1",  # deprecated site-local
    "ff02::1",  # multicast
    "ff0e::1",
    "::",  # unspecified
    "2001:db8::1",  # documentation
    "3fff::1",
    "100::1",  # discard-only
    "fe80::1",
    "fc00::1",
    "::ffff:169.254.169.254",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "192.0.0.8",
    "240.0.0.1",
    "255.255.255.255",
    "100.100.100.200",  # carrier-grade NAT (a cloud metadata address)
]
PUBLIC_ADDRESSES = [
    "93.184.215.14",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:1.1.1.1",  # IPv4-mapped form of a public address
    "64:ff9b::101:101",  # NAT64 of 1.1.1.1
    "2002:101:101::1",  # 6to4 of 1.1.1.1
]


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_special_purpose_and_embedded_private_addresses_are_not_public(address):
    assert not transport.address_is_public(address)


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_in_any_form_are_public(address):
    assert transport.address_is_public(address)


def _url(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:18520/hook"


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_such_addresses_are_refused_before_any_lookup_and_at_send_time(address):
    assert "not a public address" in transport.literal_host_refused(
        _url(address), allow_private=False
    )
    with pytest.raises(transport.TargetRefused, match="not a public address"):
        transport.post(_url(address), b"{}", {}, timeout_s=1, allow_private=False)


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_literal_addresses_pass_the_registration_check(address):
    assert transport.literal_host_refused(_url(address), allow_private=False) is None


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "017700000001", "0.0.0.0", "localhost."]
)
def test_other_spellings_of_this_machine_are_refused_before_any_lookup(host):
    refused = transport.literal_host_refused(f"http://{host}:18520/", allow_private=False)
    assert refused is not None and ("not a public" in refused or "localhost" in refused)
    with pytest.raises(transport.TargetRefused):
        transport.post(f"http://{host}:18520/", b"{}", {}, timeout_s=1, allow_private=False)


def test_a_name_is_refused_when_it_resolves_to_an_address_that_is_not_public():
    with pytest.raises(transport.TargetRefused, match="localhost resolves to .*not a public"):
        transport._resolved("localhost", 80, allow_private=False)

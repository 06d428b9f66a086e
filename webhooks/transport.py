"""One HTTP POST to a webhook URL: short timeouts, no redirects, no private targets.

The host name is resolved once and the connection goes to an address that was checked (so a
name cannot resolve to a public address for the check and a private one for the request).
Redirects are never followed: a 3xx is an answer like any other non-2xx. Only the first
bytes of the response body are read.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_EXCERPT_BYTES = 1024
MAX_ADDRESSES = 2
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """The URL may not be called: wrong scheme, or an address that is not public."""


class SendFailed(Exception):
    """No HTTP answer: the name did not resolve, the connection failed or timed out."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    excerpt: str


# Not reachable on the internet, or reserved (IANA special-purpose registries), on top of what
# Python's `is_global` knows (it misses some in older Pythons, e.g. 198.18.0.0/15 benchmarking).
_IPV4_REFUSED = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
# IPv6 outside these is refused: global unicast (2000::/3), plus the two forms that are IPv4
# underneath (IPv4-mapped, and well-known NAT64 64:ff9b::/96), judged by that IPv4 address.
_IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_IPV6_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_IPV6_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Inside 2000::/3 but refused: IETF protocol assignments (incl. Teredo 2001::/32, which
# embeds a server and a client IPv4 address), documentation, SRv6 segment ids.
_IPV6_REFUSED = tuple(
    ipaddress.IPv6Network(net) for net in ("2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16")
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address carries: IPv4-mapped, IPv4-compatible (::/96),
    SIIT (::ffff:0:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48 as /96), 6to4 (2002::/16) and
    Teredo (2001::/32: server and client). Empty for an address that carries none."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if int(ip) >> 32 in (0, 0xFFFF_0000) or any(
        ip in ipaddress.IPv6Network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48")
    ):
        found.append(low32)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _ipv4_is_public(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not any(ip in net for net in _IPV4_REFUSED)


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast IP address: not private, loopback, link-local,
    multicast, reserved or documentation, and for IPv6 in global unicast 2000::/3 (or the
    IPv4-mapped or NAT64 form of a public IPv4 address) with every IPv4 address embedded in it
    (6to4, Teredo, NAT64…) public too. Raises ValueError when `address` is not an IP address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_is_public(ip)
    embedded = embedded_ipv4(ip)
    if not all(_ipv4_is_public(v4) for v4 in embedded):
        return False
    if ip in _IPV6_MAPPED or ip in _IPV6_NAT64:
        return True
    return (
        ip in _IPV6_GLOBAL_UNICAST
        and ip.is_global
        and not ip.is_multicast
        and not any(ip in net for net in _IPV6_REFUSED)
    )


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; raises TargetRefused otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise TargetRefused(f"Only http and https URLs can receive webhooks, not {scheme!r}.")
    if not parts.hostname:
        raise TargetRefused("The URL names no host.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise TargetRefused(f"The URL's port is not a number from 1 to 65535: {exc}.") from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port, path


def literal_host_refused(url: str, *, allow_private: bool) -> str | None:
    """Why `url` is refused before any lookup (scheme, `localhost`, a private IP), else None."""
    try:
        _, host, _, _ = url_parts(url)
    except TargetRefused as exc:
        return str(exc)
    if allow_private:
        return None
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "The URL points at this machine (localhost)."
    for address in _numeric_addresses(host):
        if not address_is_public(address):
            shown = host if address == host else f"{host} ({address})"
            return f"The URL's address {shown} is not a public address."
    return None


def _numeric_addresses(host: str) -> list[str]:
    """The addresses a numeric host stands for, as the resolver reads it (so `127.1`,
    `2130706433` and `0x7f000001` are 127.0.0.1); empty for a name, which needs a lookup."""
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _resolved(host: str, port: int, *, allow_private: bool) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise SendFailed(f"Could not resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not allow_private:
        private = [address for address in addresses if not address_is_public(address)]
        if private:
            raise TargetRefused(
                f"{host} resolves to {', '.join(private)}, which is not a public address; "
                "webhooks are only sent to public addresses."
            )
    return addresses


class _Attempt:
    """One connection to one checked address, cut off when its whole exchange runs too long.

    Socket timeouts bound each connect and each read; the watchdog bounds the total, so a peer
    that answers a byte at a time cannot hold a worker.
    """

    def __init__(self, connection: http.client.HTTPConnection, address: str, port: int) -> None:
        self.connection = connection
        self.address = address
        self.port = port
        self.sock: socket.socket | None = None
        self.expired = False
        connection._create_connection = self._connect

    def _connect(
        self,
        _address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        self.sock = socket.create_connection((self.address, self.port), timeout, source_address)
        return self.sock

    def _expire(self) -> None:
        self.expired = True
        # After a TLS handshake the connection holds the wrapping socket (the raw one is
        # detached); either way, shutting it down wakes the blocked read.
        sock = self.connection.sock or self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by the peer or by us
                sock.shutdown(socket.SHUT_RDWR)

    def post(self, path: str, body: bytes, headers: dict[str, str], budget_s: float) -> HttpAnswer:
        watchdog = threading.Timer(budget_s, self._expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            self.connection.request("POST", path, body=body, headers=headers)
            response = self.connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", errors="replace")
        finally:
            watchdog.cancel()
            self.connection.close()
        if self.expired:
            # Cut off mid-answer, http.client may still have parsed a (truncated) response.
            raise TimeoutError("the answer was cut off")
        return HttpAnswer(status=response.status, excerpt=excerpt)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout_s: float,
    allow_private: bool,
) -> HttpAnswer:
    """POST `body` to `url` once and return the status and the start of the answer's body.

    Raises TargetRefused for a URL that may not be called and SendFailed when no HTTP answer
    came back: each connect and each read may take `timeout_s`, one whole exchange twice that.
    At most MAX_ADDRESSES of the name's addresses are tried, and no other once one connected.
    """
    scheme, host, port, path = url_parts(url)
    refused = literal_host_refused(url, allow_private=allow_private)
    if refused:
        raise TargetRefused(refused)
    addresses = _resolved(host, port, allow_private=allow_private)
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    last_error = "no address"
    for address in addresses[:MAX_ADDRESSES]:
        attempt = _Attempt(connection_class(host, port, timeout=timeout_s), address, port)
        try:
            return attempt.post(path, body, headers, budget_s=2 * timeout_s)
        except (OSError, http.client.HTTPException) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            if attempt.expired:
                last_error = f"no complete answer within {2 * timeout_s:g} s ({last_error})"
            if attempt.sock is not None:
                # The request may have arrived: another address would send it twice.
                break
    raise SendFailed(last_error)

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


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast IP address (not private, loopback, link-local…)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return "The URL points at this machine (localhost)."
    try:
        public = address_is_public(host)
    except ValueError:
        return None
    return None if public else f"The URL's address {host} is not a public address."


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

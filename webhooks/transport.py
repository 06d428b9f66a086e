"""One HTTP POST to a webhook URL: short timeouts, no redirects, no private targets.

The host name is resolved once and the connection goes to an address that was checked (so a
name cannot resolve to a public address for the check and a private one for the request).
Redirects are never followed: a 3xx is an answer like any other non-2xx. Only the first
bytes of the response body are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_EXCERPT_BYTES = 1024
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
    came back within `timeout_s` (per connection attempt and per read).
    """
    scheme, host, port, path = url_parts(url)
    addresses = _resolved(host, port, allow_private=allow_private)
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    last_error: Exception | None = None
    for address in addresses:
        connection = connection_class(host, port, timeout=timeout_s)
        reached: list[str] = []

        def connect_to_checked_address(
            _address: tuple[str, int],
            timeout: float | None = timeout_s,
            source_address: tuple[str, int] | None = None,
            target: str = address,
            reached: list[str] = reached,
        ) -> socket.socket:
            sock = socket.create_connection((target, port), timeout, source_address)
            reached.append(target)
            return sock

        connection._create_connection = connect_to_checked_address
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", errors="replace")
            return HttpAnswer(status=response.status, excerpt=excerpt)
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc
            if reached:
                # The request may have arrived: another address would send it twice.
                break
        finally:
            connection.close()
    raise SendFailed(f"{type(last_error).__name__}: {last_error}" if last_error else "no address")

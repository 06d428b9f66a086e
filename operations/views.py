"""/healthz (liveness), /readyz (readiness) and /metrics (Prometheus), served by
operations.middleware.OperationsEndpointsMiddleware before host validation and the HTTPS
redirect, so a container's health check or a scraper inside the network can reach them."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from prometheus_client import CONTENT_TYPE_LATEST

from exams.api.errors import api_error_response
from operations.metrics import metrics_exposition
from operations.probes import readiness_probes

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """200 {"status": "ok"} while the process serves requests; touches no other service."""
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database, broker, cache and sandbox answer, else 503 naming what is down.

    Body: {"status": "ok"|"unavailable", "checks": {name: {"status", "latency_ms"[, "reason"]}}}
    plus, on 503, the error shape {"error": {"code": "not_ready", "message", "details"}}.
    """
    probes = readiness_probes()
    down = [probe.name for probe in probes if probe.status == "down"]
    body: dict[str, object] = {
        "status": "unavailable" if down else "ok",
        "checks": {probe.name: probe.as_dict() for probe in probes},
    }
    if down:
        body["error"] = {
            "code": "not_ready",
            "message": f"Not ready: {', '.join(down)} did not answer. Start or reconnect "
            "what is named; this process takes no traffic until then.",
            "details": {"down": down},
        }
    return _no_store(JsonResponse(body, status=503 if down else 200))


def _is_local(request: HttpRequest) -> bool:
    """True for a request from a loopback address that came through no proxy."""
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _host_is_trusted(request: HttpRequest) -> bool:
    """A loopback name or address, or a host in ALLOWED_HOSTS: a web page on another site
    cannot make a browser on this machine read /metrics (DNS rebinding)."""
    host, _ = split_domain_port(request.META.get("HTTP_HOST", ""))
    if host in LOOPBACK_HOSTS:
        return True
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _metrics_refusal(request: HttpRequest) -> HttpResponse | None:
    """None when the request may read /metrics, else the 401/403 to send."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        response = api_error_response(
            401,
            "not_authenticated",
            "Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not _host_is_trusted(request):
        return api_error_response(
            400,
            "disallowed_host",
            "Without METRICS_TOKEN, /metrics answers only to a Host header of this machine "
            "(localhost, 127.0.0.1, [::1]) or one in ALLOWED_HOSTS.",
        )
    if _is_local(request):
        return None
    return api_error_response(
        403,
        "metrics_local_only",
        "METRICS_TOKEN is not set, so /metrics answers only to requests from this machine "
        "(loopback, not through a proxy). Set METRICS_TOKEN on the server and send it as "
        "`Authorization: Bearer <token>`.",
    )


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition of every metric (docs/operations.md lists them)."""
    refusal = _metrics_refusal(request)
    if refusal is not None:
        return refusal
    return _no_store(HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST))

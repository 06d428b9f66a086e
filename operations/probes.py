"""Readiness probes of the services a web process needs: the database, Redis, the sandbox.

Each probe returns a Probe: whether the dependency answered, how long it took and, when it did
not, a short reason that names no host, password or path (the readiness page is public).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.core.cache import cache
from django.db import DatabaseError, connection

from config.celery import app as celery_app
from sandbox.client import SandboxClient, socket_from_environment

REDIS_TIMEOUT_S = 2.0
"""How long a Redis probe waits to connect or for an answer (seconds)."""
PROBE_CACHE_KEY = "operations:readyz"


@dataclass(frozen=True)
class Probe:
    """One dependency's state: ``status`` is "ok", "down" or "skipped"; latency in ms."""

    name: str
    status: str
    latency_ms: float
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        """{"status", "latency_ms"} plus "reason" when there is one (JSON-ready)."""
        body: dict[str, object] = {"status": self.status, "latency_ms": round(self.latency_ms, 2)}
        if self.reason:
            body["reason"] = self.reason
        return body


def _timed(name: str, check: Callable[[], str | None], failure: str) -> Probe:
    """Runs ``check``; it returns None when ok or a reason to skip; an exception means down."""
    started = time.perf_counter()
    try:
        skipped = check()
    except Exception as exc:  # noqa: BLE001 (any failure of the dependency means "down")
        return Probe(name, "down", _ms_since(started), f"{failure} ({type(exc).__name__})")
    if skipped:
        return Probe(name, "skipped", _ms_since(started), skipped)
    return Probe(name, "ok", _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def broker_client() -> redis.Redis:
    """A Redis client for the Celery broker (the app's broker_url), with short timeouts."""
    return redis.Redis.from_url(
        celery_app.conf.broker_url,
        socket_connect_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
    )


def _database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # A broken connection is not kept for the next request of this thread.
        connection.close()
        raise


def _broker() -> None:
    with broker_client() as client:
        client.ping()


def _cache() -> None:
    cache.set(PROBE_CACHE_KEY, "ok", timeout=10)
    if cache.get(PROBE_CACHE_KEY) != "ok":
        raise RuntimeError("the cache did not keep a value")


def _sandbox() -> str | None:
    socket_path = socket_from_environment()
    if not socket_path:
        return "SANDBOX_SOCKET is not set: each process starts its own sandbox server when needed"
    if not SandboxClient(socket_path).ping():
        raise ConnectionError("no answer to ping")
    return None


def readiness_probes() -> list[Probe]:
    """Probes the database, the Celery broker, the cache and the sandbox socket, in turn.

    The database runs ``SELECT 1``; the broker is pinged; the cache stores and reads one key;
    the sandbox server at SANDBOX_SOCKET answers a ping ("skipped" when SANDBOX_SOCKET is unset).
    """
    return [
        _timed("database", _database, "the database did not answer"),
        _timed("broker", _broker, "the Redis broker did not answer"),
        _timed("cache", _cache, "the cache did not answer"),
        _timed("sandbox", _sandbox, "the sandbox server did not answer on SANDBOX_SOCKET"),
    ]

"""System checks that the web tier is stateless (`manage.py check --deploy`).

Several web processes (and hosts) serve one site: sessions, rate-limit counters and cached
values must live where all of them read and write, the database or Redis.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
)
SHARED_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.signed_cookies",
)
CACHE_SESSION_ENGINE = "django.contrib.sessions.backends.cache"


def _cache_is_local(alias: str) -> bool:
    return settings.CACHES.get(alias, {}).get("BACKEND") in PROCESS_LOCAL_CACHES


@register("deploy", deploy=True)
def check_stateless_web_tier(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """ops.W001: a cache local to one process or host; ops.W002: sessions kept the same way.

    Only without DEBUG (a deployment); returns the warnings that apply.
    """
    if settings.DEBUG:
        return []
    warnings = []
    for alias, config in settings.CACHES.items():
        if config.get("BACKEND") in PROCESS_LOCAL_CACHES:
            warnings.append(
                Warning(
                    f"The {alias!r} cache ({config['BACKEND'].rsplit('.', 1)[-1]}) is local to "
                    "one process or host: each web process keeps its own rate-limit counters "
                    "and cached values.",
                    hint="Set CACHE_URL (or CELERY_BROKER_URL) to a Redis URL shared by every "
                    "web process.",
                    id="ops.W001",
                )
            )
    engine = settings.SESSION_ENGINE
    local_cache_sessions = engine == CACHE_SESSION_ENGINE and _cache_is_local(
        settings.SESSION_CACHE_ALIAS
    )
    if engine not in SHARED_SESSION_ENGINES and (
        engine != CACHE_SESSION_ENGINE or local_cache_sessions
    ):
        warnings.append(
            Warning(
                f"SESSION_ENGINE {engine!r} keeps sessions where other web processes or hosts "
                "cannot read them: a student is signed out when a request reaches another one.",
                hint="Use django.contrib.sessions.backends.db (the default) or cached_db, or "
                "the cache backend with a Redis cache.",
                id="ops.W002",
            )
        )
    return warnings

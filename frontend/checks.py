"""System checks of the web tier's security settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})


@register(Tags.security)
def check_debug_only_locally(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """frontend.W001: DEBUG is on while the site answers to hosts other than this machine.

    DEBUG pages show settings, source and tracebacks to whoever triggers an error.
    """
    public = sorted(host for host in settings.ALLOWED_HOSTS if host not in LOCAL_HOSTS)
    if settings.DEBUG and public:
        return [
            Warning(
                f"DEBUG is on and ALLOWED_HOSTS names other hosts ({', '.join(public)}): error "
                "pages would show settings and source code to visitors.",
                hint="Unset DEBUG (it is off by default) on any server others can reach.",
                id="frontend.W001",
            )
        ]
    return []

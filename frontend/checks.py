"""System checks of the web tier: its security settings and its built browser code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})
EDITOR_BUNDLE = "frontend/build/editor.js"
"""The code editor's bundle, built by `npm run build` in frontend/assets (not committed)."""


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


@register("frontend")
def check_editor_bundle(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """frontend.E002: the code editor's bundle has not been built, so code parts would be plain
    text boxes. Registered under its own tag, so `collectstatic` (which runs only the
    staticfiles checks) still works before the build."""
    if finders.find(EDITOR_BUNDLE) is not None:
        return []
    return [
        Error(
            f"The code editor's bundle (static file {EDITOR_BUNDLE}) has not been built.",
            hint="Run `make install` (it runs `npm ci` and `npm run build` in frontend/assets; "
            "node and npm are needed), or build the Docker image.",
            id="frontend.E002",
        )
    ]

"""System checks of the webhook settings (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("deploy", deploy=True)
def check_private_targets_refused(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """webhooks.W001: in production, webhooks must not reach private or loopback addresses."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_URLS and not settings.DEBUG:
        return [
            Warning(
                "WEBHOOKS_ALLOW_PRIVATE_URLS is on: a course's API key can make this server POST "
                "to localhost and to addresses inside its network.",
                hint="Unset WEBHOOKS_ALLOW_PRIVATE_URLS (or set it to 0) in production.",
                id="webhooks.W001",
            )
        ]
    return []

"""Reads for LTI launches."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from lti_tool.models import LtiRegistration


def url_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def lti_frame_ancestors() -> list[str]:
    """Origins allowed to frame LTI pages: LTI_FRAME_ANCESTORS, then each active registration's
    issuer and authorization URL origins."""
    origins = list(settings.LTI_FRAME_ANCESTORS)
    for issuer, auth_url in LtiRegistration.objects.active().values_list("issuer", "auth_url"):
        for origin in (url_origin(issuer), url_origin(auth_url)):
            if origin and origin not in origins:
                origins.append(origin)
    return origins

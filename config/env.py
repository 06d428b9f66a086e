"""Typed readers for settings that come from environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false or yes/no.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(path: Path) -> str:
    """The secret key from SECRET_KEY, else one generated once and kept in an untracked file."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def redis_cache_url(broker_url: str) -> str | None:
    """The URL of a Redis database beside the broker's, for the shared cache.

    Returns None unless ``broker_url`` is a Redis URL. The cache takes the database number
    after the broker's (``redis://host:6379/0`` → ``redis://host:6379/1``) so that cache keys
    and queue messages never share a keyspace.
    """
    parts = urlsplit(broker_url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    path = parts.path.strip("/")
    broker_db = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(broker_db + 1) % 16}"))

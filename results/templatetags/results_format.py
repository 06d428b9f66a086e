"""Formatting for the results pages: durations, shares and optional numbers."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as "0.8 s", "42 s", "3.5 min" or "2.0 h"; "—" for None."""
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


@register.filter
def percent(share: float | None) -> str:
    """A share from 0 to 1 as a whole percentage ("75 %"); "—" for None."""
    return "—" if share is None else f"{share * 100:.0f} %"


@register.filter
def mark(value: float | None) -> str:
    """A mark to at most two decimals without trailing zeros ("1.5", "2"); "—" for None."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")

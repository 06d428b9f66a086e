from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict | None, key: str) -> Any:
    """`{{ answers|get:part.label }}`: a dict entry by a variable key, or an empty string."""
    return (mapping or {}).get(key, "")

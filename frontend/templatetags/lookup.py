import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict | None, key: str) -> Any:
    """`{{ answers|get:part.label }}`: a dict entry by a variable key, or an empty string."""
    return (mapping or {}).get(key, "")


@register.filter
def error_lines_json(part_feedback: Any) -> str:
    """`data-error-lines="{{ fb|error_lines_json }}"`: a code part's `error_lines` as JSON.

    `part_feedback` is one part's feedback dict (or "" when there is none); the result is a JSON
    list of {line, message} records, `[]` when the feedback has none. Autoescaping makes it safe
    inside an attribute.
    """
    lines = part_feedback.get("error_lines", []) if isinstance(part_feedback, dict) else []
    return json.dumps(lines if isinstance(lines, list) else [])


@register.filter
def plain_number(value: Any) -> str:
    """`{{ score|plain_number }}`: a mark written as the page's script writes it, without
    trailing zeros ("1.5", "2", "0.333"); anything that is not a number is shown as it is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f")

"""Template filters of the attempt page's answer controls (radio buttons, checkboxes, marks)."""

from __future__ import annotations

import re

from django import template

from grader.parsing.choice import normalise_label

register = template.Library()

_SEPARATORS = re.compile(r"[\s,;]+")
_TRUTH_WORDS = {"t": "true", "yes": "true", "y": "true", "f": "false", "no": "false", "n": "false"}


@register.filter
def chosen(answer: str | None, value: str) -> bool:
    """`{% if answer|chosen:option.value %}checked{% endif %}`: whether a saved answer text
    ("b", "(B)", "a, c", "T") selects the option whose submitted value is `value`."""
    text = str(answer or "").strip().strip("[]")
    if not text:
        return False
    picked = {normalise_label(piece) for piece in _SEPARATORS.split(text) if piece}
    picked |= {_TRUTH_WORDS[word] for word in picked if word in _TRUTH_WORDS}
    return normalise_label(value) in picked


@register.filter
def status_text(status: str | None) -> str:
    """A part's mark status as words: "partially_correct" → "partially correct"."""
    return str(status or "").replace("_", " ")

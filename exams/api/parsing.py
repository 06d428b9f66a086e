"""The API's JSON parser: malformed, absurdly nested or non-Unicode bodies are a 400, never a
500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Every request body of the API is at most three levels deep ({"answers": {"part": "text"}});
# anything deeper than this is refused before a view or serializer walks it.
MAX_JSON_DEPTH = 32


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, object keys included (without recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def has_lone_surrogate(value: Any) -> bool:
    """True when a string in the value cannot be written as UTF-8 (a lone surrogate, which
    JSON's `\\ud800` escapes can produce); such text cannot be stored or echoed back."""
    for text in _strings(value):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return False


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is depth 0).

    Walks the value without recursion, so any depth can be measured.
    """
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep() -> ParseError:
    return ParseError(
        f"JSON parse error - lists and objects are nested more than {MAX_JSON_DEPTH} levels "
        "deep; the API takes flat objects whose answers are text, e.g. "
        '{"answers": {"a": "[[1, 2], [3, 4]]"}}.'
    )


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a ParseError."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The parsed body; raises ParseError (a 400) when it is not JSON or is nested too deep."""
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise _too_deep()
        if has_lone_surrogate(data):
            raise ParseError(
                "JSON parse error - the body has a \\u escape that is not a character (a lone "
                "surrogate such as \\ud800); send the answers as plain UTF-8 text."
            )
        return data

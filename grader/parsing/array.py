"""Reading vectors, matrices and tensors written as Python/NumPy lists or MATLAB rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from grader.errors import AnswerFormatError
from grader.parsing.expression import normalise_symbols
from grader.parsing.number import PLAIN_NOTATION, Notation, ParsedNumber, parse_number

MAX_ARRAY_LENGTH = 5000
MAX_ELEMENTS = 1000
MAX_DIMENSIONS = 6

_WRAPPER = re.compile(r"^(?:torch\.tensor|np\.array|numpy\.array|tensor|array)\s*\((?P<body>.*)\)$")
_DTYPE_ARGUMENT = re.compile(r",\s*dtype\s*=\s*[\w.]+\s*$")
_OPENING = {"[": "]", "(": ")"}


@dataclass(frozen=True)
class ParsedArray:
    """A rectangular array of numbers with how each entry was written (row-major order)."""

    shape: tuple[int, ...]
    entries: tuple[ParsedNumber, ...]

    @property
    def values(self) -> np.ndarray:
        """The entries as a float64 array of the written shape."""
        return np.array([entry.value for entry in self.entries], dtype=np.float64).reshape(
            self.shape
        )


def _split_top_level(text: str, separator: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _check_brackets(text: str) -> None:
    stack: list[str] = []
    for char in text:
        if char in _OPENING:
            stack.append(_OPENING[char])
            if len(stack) > MAX_DIMENSIONS + 3:
                raise AnswerFormatError(f"arrays may have at most {MAX_DIMENSIONS} dimensions")
        elif char in ")]" and (not stack or stack.pop() != char):
            raise AnswerFormatError("the brackets do not pair up; check every [ has its ]")
    if stack:
        raise AnswerFormatError("a bracket is not closed; check every [ has its ]")


def _is_bracketed(text: str) -> bool:
    if len(text) < 2 or text[0] not in _OPENING or text[-1] != _OPENING[text[0]]:
        return False
    depth = 0
    for char in text[:-1]:
        depth += 1 if char in "([" else -1 if char in ")]" else 0
        if depth == 0:
            return False
    return True


_DIGIT_COMMA_DIGIT = re.compile(r"[-+]?\d*\.?\d+,\d+")
_ENTRY_SEPARATOR = re.compile(r",\s|\s,|\d\s+[-+]?[\d.]")
# An entry with a leading zero before more digits ("00" in [0,86,-1,00]) is the fraction of a
# number written with a decimal comma.
_LEADING_ZERO_ENTRY = re.compile(r"(?:^|,)\s*[-+]?0\d+\s*(?=,|$)")


def _refuse_decimal_commas(text: str) -> None:
    """Raise AnswerFormatError when a row of plain entries writes numbers with decimal commas.

    A row that separates entries with ``, `` (`` ,``) or spaces and also has a comma between two
    digits (``[0,9997, 0,9123]``, ``0,9997 0,9123``) mixes two uses of the comma, and an entry
    with a leading zero (``00`` in ``[0,86,-1,00]``) is the fraction of a number: either way
    the comma between digits is a decimal comma, which would otherwise be read silently as two
    entries.
    """
    if text.lstrip().startswith(("[", "(")):
        return
    written = _DIGIT_COMMA_DIGIT.search(text)
    if written is None:
        return
    if _ENTRY_SEPARATOR.search(text) is None and _LEADING_ZERO_ENTRY.search(text) is None:
        return
    number = written.group()
    raise AnswerFormatError(
        f"{number} looks like a number with a decimal comma; in an array commas separate "
        f"entries, so write it with a decimal point ({number.replace(',', '.')})"
    )


def _row_items(text: str) -> list[str]:
    _refuse_decimal_commas(text)
    if "," in text or text.lstrip().startswith(("[", "(")):
        items = [item.strip() for item in _split_top_level(text, ",")]
        if items and items[-1] == "" and len(items) > 1:
            items.pop()
        return items
    return text.split()


def _parse_nested(text: str, notation: Notation) -> tuple[tuple[int, ...], list[ParsedNumber]]:
    text = text.strip()
    if not _is_bracketed(text):
        return (), [parse_number(text, notation)]
    body = text[1:-1].strip()
    if not body:
        raise AnswerFormatError("the array has an empty pair of brackets; fill in every entry")
    rows = _split_top_level(body, ";")
    if len(rows) > 1:
        parts = [_parse_flat_row(row, notation) for row in rows]
    else:
        items = _row_items(body)
        if any(not item for item in items):
            raise AnswerFormatError("an entry is missing between two commas")
        parts = [_parse_nested(item, notation) for item in items]
    shapes = {shape for shape, _ in parts}
    if len(shapes) > 1:
        lengths = ", ".join(str(shape[0]) if shape else "1" for shape, _ in parts)
        raise AnswerFormatError(
            f"the rows have different lengths ({lengths}); every row needs the same number of "
            "entries"
        )
    entries = [entry for _, row_entries in parts for entry in row_entries]
    return (len(parts), *shapes.pop()), entries


def _parse_flat_row(row: str, notation: Notation) -> tuple[tuple[int, ...], list[ParsedNumber]]:
    items = _row_items(row.strip())
    if not items or any(not item for item in items):
        raise AnswerFormatError("a row between semicolons is empty; fill in every entry")
    entries = [parse_number(item, notation) for item in items]
    return (len(entries),), entries


def _strip_wrapper(text: str) -> str:
    match = _WRAPPER.match(text)
    if match is None:
        return text
    return _DTYPE_ARGUMENT.sub("", match.group("body")).strip()


def parse_array(raw: str, notation: Notation = PLAIN_NOTATION) -> ParsedArray:
    """Read ``[[1, 2], [3, 4]]``, ``[1 2; 3 4]``, ``(1.3, -4.7)`` or ``torch.tensor([...])``.

    Each entry is read by ``parse_number`` with ``notation`` (how the part reads ``%``).
    """
    text = normalise_symbols(raw).strip()
    if not text:
        raise AnswerFormatError("the answer is empty; enter an array such as [[1, 2], [3, 4]]")
    if len(text) > MAX_ARRAY_LENGTH:
        raise AnswerFormatError(f"the answer is longer than {MAX_ARRAY_LENGTH} characters")
    text = _strip_wrapper(text)
    _check_brackets(text)
    if not _is_bracketed(text):
        text = f"[{text}]"
    if text.count(",") + text.count(" ") + text.count(";") >= MAX_ELEMENTS * 4:
        raise AnswerFormatError(f"arrays may have at most {MAX_ELEMENTS} entries")
    shape, entries = _parse_nested(text, notation)
    if len(entries) > MAX_ELEMENTS:
        raise AnswerFormatError(f"arrays may have at most {MAX_ELEMENTS} entries")
    if len(shape) > MAX_DIMENSIONS:
        raise AnswerFormatError(f"arrays may have at most {MAX_DIMENSIONS} dimensions")
    return ParsedArray(shape, tuple(entries))

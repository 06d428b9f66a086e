"""Reading submitted source without running it: the syntax check done when code is posted."""

from __future__ import annotations

import ast
import warnings
from typing import Any

MAX_SOURCE_CHARS = 50_000


def syntax_problem(source: str, max_chars: int = MAX_SOURCE_CHARS) -> str | None:
    """None if `source` parses as Python, else 'line N: ...' saying what to fix."""
    if len(source) > max_chars:
        return (
            f"the code is {len(source):,} characters long; the limit is {max_chars:,}. "
            "Submit only the code the question asks for."
        )
    if "\x00" in source:
        return "the code contains a NUL character; paste it as plain text."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            ast.parse(source, filename="submission.py")
    except SyntaxError as error:
        where = f"line {error.lineno}" if error.lineno else "the code"
        column = f", column {error.offset}" if error.lineno and error.offset else ""
        shown = (error.text or "").strip()
        code = f" (`{shown}`)" if shown else ""
        return f"{where}{column}{code}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"the code cannot be read as Python: {error}"
    return None


def syntax_error_lines(source: str) -> list[dict[str, Any]]:
    """Where `source` fails to parse, as error-line records for the code editor.

    Returns `[{"line": N, "message": "SyntaxError: ..."}]` (N counts from 1 in `source`), or
    `[]` when it parses or the problem has no line (too long, a NUL character).
    """
    if len(source) > MAX_SOURCE_CHARS or "\x00" in source:
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            ast.parse(source, filename="submission.py")
    except SyntaxError as error:
        if not error.lineno:
            return []
        return [{"line": error.lineno, "message": f"{type(error).__name__}: {error.msg}"}]
    except (ValueError, RecursionError, MemoryError):
        return []
    return []

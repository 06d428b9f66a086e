"""What one run of the test harness over some source produced, as the trusted side holds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT_ERROR_TYPES = frozenset(
    {"SyntaxError", "IndentationError", "TabError", "ImportError", "ModuleNotFoundError"}
)
"""Load failures that mean the code could not be read or set up, not that it computes wrongly."""


@dataclass(frozen=True)
class CodeRun:
    """Per-test observations (or errors) of one harness run, or why the run failed as a whole.

    ``tests`` maps a test name to ``{"observed": ...}``, ``{"error": {type, message, line}}``
    (the code raised), ``{"load_error": ...}`` (it failed while loading in that test's job) or
    ``{"failure": message}`` (that test's job ran out of time or memory, or crashed);
    ``load_error`` is set when the source failed while being executed as a module; ``failure``
    when the job itself did not finish (time or memory limit, unreadable result).
    """

    tests: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    load_error: Mapping[str, Any] | None = None
    failure: str = ""
    stdout: str = ""

    @property
    def format_error(self) -> bool:
        kind = self.load_error.get("type") if isinstance(self.load_error, Mapping) else None
        return isinstance(kind, str) and kind in FORMAT_ERROR_TYPES

    def observed(self, name: str) -> Any:
        """The observations of test `name`, or None when it raised or did not run."""
        entry = self.tests.get(name)
        return entry.get("observed") if isinstance(entry, Mapping) else None

    def problem(self, name: str) -> str | None:
        """Why test `name` produced no observations, in words a student can act on."""
        if self.failure:
            return self.failure
        if self.load_error is not None:
            return "your code failed while it was being loaded: " + error_text(self.load_error)
        entry = self.tests.get(name)
        if not isinstance(entry, Mapping):
            return "this test did not run."
        if isinstance(entry.get("failure"), str):
            return entry["failure"]
        if entry.get("load_error") is not None:
            return "your code failed while it was being loaded: " + error_text(entry["load_error"])
        if "error" in entry:
            return error_text(entry["error"])
        if "observed" not in entry:
            return "this test produced no result."
        return None


def error_text(error: Any) -> str:
    """'line 7: ZeroDivisionError: division by zero' from a harness error record."""
    if not isinstance(error, Mapping):
        return "an error the marker cannot read."
    kind = str(error.get("type") or "Error")
    message = str(error.get("message") or "")
    line = error.get("line")
    text = f"{kind}: {message}" if message else kind
    if isinstance(line, int) and not isinstance(line, bool):
        code_line = error.get("code_line")
        shown = f" (`{str(code_line).strip()}`)" if code_line else ""
        return f"line {line}{shown}: {text}"
    return text


def error_lines(run: CodeRun, visible: Sequence[str]) -> list[dict[str, Any]]:
    """The lines of the submission where it raised, for the code editor to highlight.

    Taken from the run's load error and from the error (or load error) of each test named in
    `visible`: hidden tests are never looked at, so nothing about them is revealed. Returns
    `[{"line": N, "message": "test `name`: Type: message"}]` sorted by line (N counts from 1 in
    the submitted source), one record per line (messages of the same line joined by newlines).
    """
    found: dict[int, list[str]] = {}

    def add(error: Any, where: str) -> None:
        line = error.get("line") if isinstance(error, Mapping) else None
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            return
        kind = str(error.get("type") or "Error")
        message = str(error.get("message") or "")
        text = f"{where}{kind}: {message}" if message else f"{where}{kind}"
        if text not in found.setdefault(line, []):
            found[line].append(text)

    add(run.load_error, "while loading: ")
    for name in visible:
        entry = run.tests.get(name)
        if isinstance(entry, Mapping):
            add(entry.get("load_error"), "while loading: ")
            add(entry.get("error"), f"test `{name}`: ")
    return [{"line": line, "message": "\n".join(found[line])} for line in sorted(found)]

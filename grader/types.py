"""Plain data exchanged between the marking library and its callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PartStatus = Literal[
    "correct",
    "partially_correct",
    "incorrect",
    "format_error",
    "needs_manual",
    "unanswered",
    "visible_tests_passed",
    "visible_tests_failed",
]
"""`unanswered`: the part's answer was empty (scored 0, never a format error). The last two
only describe a run of a code part's visible tests (not a mark of the part)."""


@dataclass(frozen=True)
class PartSpec:
    """One answerable part of a question: what kind of answer it takes and how it is marked."""

    label: str
    kind: str
    marks: float
    rule: Mapping[str, Any] = field(default_factory=dict)
    quantity: str | None = None

    @property
    def quantity_name(self) -> str:
        """Name of the solver quantity this part asks for (defaults to the label)."""
        return self.quantity or self.label


@dataclass(frozen=True)
class Reference:
    """A variant's reference values per quantity, in the three solver modes."""

    exact: Mapping[str, Any]
    rounded: Mapping[str, Any] | None = None
    carried_forward: Mapping[str, Any] | None = None
    alternatives: Mapping[str, Mapping[str, Any]] | None = None
    """Optional wrong values a solver reports per quantity, keyed by mistake name."""


@dataclass(frozen=True)
class PartResult:
    """The mark of one part; ``matched`` names the accepted path, ``mistakes`` the named ones."""

    label: str
    score: float
    max_score: float
    status: PartStatus
    feedback: str
    matched: str | None = None
    mistakes: tuple[str, ...] = ()
    details: tuple[Mapping[str, Any], ...] = ()
    """Per-test records of a code part (name, passed, points, message, hints); else empty."""
    error_lines: tuple[Mapping[str, Any], ...] = ()
    """Code parts: `{line, message}` per line of the student's own code where it raised in a
    visible test or while loading (never from a hidden test); else empty."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "feedback": self.feedback,
            "matched": self.matched,
            "mistakes": list(self.mistakes),
            "details": [dict(detail) for detail in self.details],
            "error_lines": [dict(error) for error in self.error_lines],
        }


@dataclass(frozen=True)
class QuestionResult:
    parts: Mapping[str, PartResult]

    @property
    def score(self) -> float:
        return sum(p.score for p in self.parts.values())

    @property
    def max_score(self) -> float:
        return sum(p.max_score for p in self.parts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "parts": {label: part.as_dict() for label, part in self.parts.items()},
        }

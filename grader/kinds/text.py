"""Free-text parts: stored as written, never marked automatically."""

from __future__ import annotations

from grader.kinds.base import manual_result
from grader.types import PartResult, PartSpec, Reference

MANUAL_FEEDBACK = (
    "Your answer has been saved. It is not marked automatically: it will be marked later by "
    "self-assessment or by an instructor."
)


class TextMarker:
    """Keeps the text; marking always returns ``needs_manual`` with score 0."""

    def parse(self, part: PartSpec, raw: str) -> str:
        return raw.strip()

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        return manual_result(part, MANUAL_FEEDBACK)

"""What every answer kind provides, and helpers to build part results."""

from __future__ import annotations

from typing import Any, Protocol

from grader.types import PartResult, PartSpec, Reference

NO_REFERENCE_FEEDBACK = "This part could not be marked automatically; an instructor will mark it."
UNANSWERED_FEEDBACK = "Not answered."


class KindMarker(Protocol):
    """Reads and marks answers of one kind (``number``, ``choice``…)."""

    def parse(self, part: PartSpec, raw: str) -> Any:
        """The answer as a plain JSON-able value; raises AnswerFormatError when unreadable."""
        ...

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        """Mark one answer against the reference values of its variant."""
        ...


def credited_result(
    part: PartSpec,
    credit: float,
    feedback: str,
    matched: str | None = None,
    mistakes: tuple[str, ...] = (),
) -> PartResult:
    """A result worth ``credit`` (0–1) of the part's marks, with the matching status."""
    credit = min(max(credit, 0.0), 1.0)
    status = "correct" if credit >= 1.0 else "partially_correct" if credit > 0 else "incorrect"
    score = round(part.marks * credit, 6)
    return PartResult(part.label, score, part.marks, status, feedback, matched, mistakes)


def as_sentence(message: str) -> str:
    """A format-error clause ('the answer is empty; …') as a sentence ('The answer is empty; ….').

    Format errors are clauses so that callers can embed them ("part a: …"); feedback is shown
    on its own, as a sentence.
    """
    text = message.strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def format_error_result(part: PartSpec, message: str) -> PartResult:
    """A result for an unreadable answer: not a zero, and it costs no attempt."""
    return PartResult(part.label, 0.0, part.marks, "format_error", as_sentence(message))


def manual_result(part: PartSpec, feedback: str) -> PartResult:
    """A result left for self-assessment or an instructor."""
    return PartResult(part.label, 0.0, part.marks, "needs_manual", feedback)


def unanswered_result(part: PartSpec) -> PartResult:
    """The result of a part left empty: 0 of its marks, status ``unanswered``, no format error."""
    return PartResult(part.label, 0.0, part.marks, "unanswered", UNANSWERED_FEEDBACK)


def reference_value(part: PartSpec, reference: Reference) -> Any:
    """The exact reference value of the part's quantity, or None when the solver gave none."""
    return reference.exact.get(part.quantity_name)

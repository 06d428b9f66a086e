"""Marks given by people, laid over an automatic mark each time a submission is marked.

Marking a submission again (a re-mark, a regrade) recomputes every part from the answers, and
free-text parts come back `needs_manual` with score 0. An app that stores marks given by
people (manual_marking) registers an overlay here; `submission_mark` applies every overlay to
the fresh result before storing it, so marks given by hand survive any re-marking, whoever
triggers it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from exams.models import Submission

# An overlay takes the submission and its freshly computed per-part feedback (label → the
# part's feedback dict) and returns the feedback to store, with its parts replaced by the
# marks given by hand. It must not write to the database.
MarkingOverlay = Callable[[Submission, dict[str, dict[str, Any]]], dict[str, dict[str, Any]]]

_overlays: list[MarkingOverlay] = []


def marking_overlay_register(overlay: MarkingOverlay) -> None:
    """Apply `overlay` to every mark stored from now on (call it from an AppConfig.ready)."""
    if overlay not in _overlays:
        _overlays.append(overlay)


def feedback_score(feedback: dict[str, dict[str, Any]]) -> Decimal:
    """The submission's score: the sum of its parts' scores, to 3 decimal places."""
    total = sum((Decimal(str(part.get("score") or 0)) for part in feedback.values()), Decimal(0))
    return total.quantize(Decimal("0.001"))


def marking_overlays_apply(
    *, submission: Submission, feedback: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], Decimal | None]:
    """The feedback with every registered overlay applied, and the score it adds up to.

    Returns (feedback, None) when no overlay changed anything, so the caller keeps the
    marker's own score.
    """
    changed = feedback
    for overlay in _overlays:
        changed = overlay(submission, changed)
    if changed == feedback:
        return feedback, None
    return changed, feedback_score(changed)

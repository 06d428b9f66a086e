"""Giving a free-text part a mark by hand: an instructor's, or the student's self-assessment.

A mark is stored as a `ManualMark` (every one kept, one current per part) and applied to the
submission in the same transaction: the part's entry in `Submission.feedback` (status from the
score, the comment as feedback, who marked it) and `Submission.score`. After commit
`exams.signals.submission_marked_send` runs, so LTI passback and webhooks follow. Marking the
submission again automatically keeps the marks (`manual_marks_overlay`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exams.errors import ApplicationError
from exams.marking_overlays import feedback_score
from exams.models import Part, Submission
from exams.signals import submission_marked_send
from manual_marking import selectors
from manual_marking.models import ManualMark

NEEDS_MANUAL = "needs_manual"
INSTRUCTOR_NOTE = "Marked by your instructor."
SELF_NOTE = "Self-assessed: it counts in your score until your instructor marks it."


def _marker_name(mark: ManualMark) -> str:
    user = mark.marked_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def mark_feedback(*, mark: ManualMark, max_score: float) -> dict[str, Any]:
    """The feedback entry of a part marked by hand (the shape `grader` gives every part).

    `score` is the mark (never above `max_score`, the part's marks); `status` is `correct` at
    full marks, `partially_correct` above 0, else `incorrect`; `feedback` says who marked it,
    then the comment; `marked_by` holds `source` (`instructor` or `self`), `name`, `at`.
    """
    score = min(float(mark.score), float(max_score))
    if score >= float(max_score):
        status = "correct"
    elif score > 0:
        status = "partially_correct"
    else:
        status = "incorrect"
    note = INSTRUCTOR_NOTE if mark.source == ManualMark.Source.INSTRUCTOR else SELF_NOTE
    return {
        "score": score,
        "max_score": float(max_score),
        "status": status,
        "feedback": f"{note} {mark.comment.strip()}".strip(),
        "matched": None,
        "mistakes": [],
        "details": [],
        "marked_by": {
            "source": mark.source,
            "name": _marker_name(mark),
            "at": mark.created_at.isoformat(),
        },
    }


def manual_marks_overlay(
    submission: Submission, feedback: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The marking overlay (`exams.marking_overlays`): each part the fresh marking left
    `needs_manual` gets its current mark given by hand, if it has one — its own, else the mark
    of the latest earlier submission on the same variant in the attempt whose answer to that
    part is the same text (saving another part on its own keeps the free-text answer, and so
    its mark). Reads only."""
    waiting = [
        label
        for label, part in feedback.items()
        if isinstance(part, dict) and part.get("status") == NEEDS_MANUAL
    ]
    if not waiting:
        return feedback
    candidates = (
        ManualMark.objects.filter(
            current=True,
            part_label__in=waiting,
            submission__attempt_id=submission.attempt_id,
            submission__variant_id=submission.variant_id,
            submission__created_at__lte=submission.created_at,
        )
        .select_related("marked_by", "submission")
        .order_by("-submission__created_at", "-submission_id")
    )
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    changed = dict(feedback)
    for mark in candidates:
        label = mark.part_label
        if changed[label] is not feedback[label]:
            continue  # a later submission's mark was applied already
        own = mark.submission_id == submission.pk
        earlier = mark.submission.answers if isinstance(mark.submission.answers, dict) else {}
        if own or earlier.get(label) == answers.get(label):
            changed[label] = mark_feedback(mark=mark, max_score=feedback[label]["max_score"])
    return changed


def _check_markable(*, submission: Submission, part: Part) -> None:
    """Raise ApplicationError unless the submission's part can take a mark by hand now."""
    if part.kind != Part.Kind.TEXT:
        raise ApplicationError(
            f"Part {part.display_label} is marked automatically; only free-text parts are "
            "marked by hand.",
            code="not_manually_marked",
            details={"part": part.label},
        )
    if submission.status != Submission.Status.GRADED:
        raise ApplicationError(
            f"Submission {submission.pk} is {submission.status}: it is being marked (again) "
            "automatically right now. Reload in a moment and mark it then.",
            code="not_marked_yet",
            status=409,
        )
    if selectors.submission_superseded(submission=submission):
        raise ApplicationError(
            "The student submitted a later answer to this question; only the latest answer "
            "is marked. Open the latest one from the marking queue.",
            code="superseded",
            status=409,
        )


def _check_score(*, part: Part, score: Decimal) -> None:
    if not Decimal(0) <= score <= part.marks:
        raise ApplicationError(
            f"The mark must be between 0 and {part.marks.normalize()} (the part's marks), "
            f"not {score.normalize()}.",
            code="invalid_score",
            details={"score": f"between 0 and {part.marks.normalize()}"},
        )


@transaction.atomic
def manual_mark_create(
    *,
    submission: Submission,
    part_label: str,
    score: Decimal,
    comment: str,
    marked_by: AbstractBaseUser,
    source: str,
    expected_mark_id: int | None,
) -> ManualMark:
    """Give part `part_label` of `submission` the mark `score` (0 to the part's marks) and
    apply it: the new mark becomes current (earlier ones are kept as history), the part's
    feedback and the submission's score change, and after commit the submission counts as
    marked again (LTI passback, webhooks).

    `expected_mark_id` is the id of the current mark the person saw (None if they saw none):
    if someone else marked the part meanwhile nothing is stored. `source` is
    `ManualMark.Source.INSTRUCTOR` or `.SELF`; a self-assessment never replaces an
    instructor's mark.

    Raises ApplicationError: 400 `invalid_score`, `not_manually_marked`; 404 `no_such_part`;
    409 `not_marked_yet` (being marked automatically), `superseded` (a later answer exists),
    `marked_meanwhile` (someone else marked the part since the page was loaded),
    `instructor_marked` (a self-assessment after the instructor's mark).
    """
    # Holding the submission's row serializes marks of the same submission.
    locked = Submission.objects.select_for_update(of=("self",)).select_related(
        "variant__version", "attempt"
    )
    submission = locked.get(pk=submission.pk)
    part = submission.variant.version.parts.filter(label=part_label).first()
    if part is None:
        raise ApplicationError(
            f"This question has no part '{part_label}'.",
            code="no_such_part",
            status=404,
        )
    _check_markable(submission=submission, part=part)
    _check_score(part=part, score=score)
    current = (
        ManualMark.objects.filter(submission=submission, part_label=part_label, current=True)
        .select_related("marked_by")
        .first()
    )
    if source == ManualMark.Source.SELF and current and current.source != ManualMark.Source.SELF:
        raise ApplicationError(
            "Your instructor has marked this part, so it can no longer be self-assessed.",
            code="instructor_marked",
            status=409,
        )
    if (current.pk if current else None) != expected_mark_id:
        who = (
            f"{_marker_name(current) or 'someone'} gave it {current.score.normalize()}"
            if current
            else "its mark was withdrawn"
        )
        raise ApplicationError(
            f"This part was marked meanwhile ({who}); your mark was not saved. Review the "
            "current mark below and save again if you still want to change it.",
            code="marked_meanwhile",
            status=409,
        )
    if current is not None:
        ManualMark.objects.filter(pk=current.pk).update(current=False)
    mark = ManualMark.objects.create(
        submission=submission,
        part_label=part_label,
        score=score,
        comment=comment.strip(),
        marked_by=marked_by,
        source=source,
    )
    feedback = dict(submission.feedback or {})
    feedback[part_label] = mark_feedback(mark=mark, max_score=float(part.marks))
    Submission.objects.filter(pk=submission.pk, status=Submission.Status.GRADED).update(
        feedback=feedback, score=feedback_score(feedback), graded_at=timezone.now()
    )
    marked = Submission.objects.get(pk=submission.pk)
    transaction.on_commit(lambda: submission_marked_send(submission=marked))
    return mark


def manual_mark_self_assess(
    *, submission: Submission, part_label: str, score: Decimal, student: AbstractBaseUser
) -> ManualMark:
    """The student marks their own answer to a free-text part against the model answer and
    rubric; it counts (as self-assessed) until an instructor marks the part.

    Allowed only on the student's own latest answer, in practice, for a part whose question
    allows it (`self_assessment = true`), once the worked solution is shown. Raises
    ApplicationError: 403 `self_assessment_not_allowed` (with the reason), and what
    `manual_mark_create` raises.
    """
    reason = selectors.self_assessment_refusal(
        submission=submission, part_label=part_label, student=student
    )
    if reason:
        raise ApplicationError(reason, code="self_assessment_not_allowed", status=403)
    current = selectors.current_mark(submission=submission, part_label=part_label)
    return manual_mark_create(
        submission=submission,
        part_label=part_label,
        score=score,
        comment="",
        marked_by=student,
        source=ManualMark.Source.SELF,
        expected_mark_id=current.pk if current else None,
    )

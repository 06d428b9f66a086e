"""Reads: the score an attempt sends to the LMS, the line items it goes to, failed passbacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from lti_tool.models import LtiContext, LtiLineItem, LtiUser

from exams import selectors as exam_selectors
from exams.errors import NotFoundError
from exams.models import Attempt, Course, Submission
from exams.presentation import results_visible
from lti.models import LtiAttemptLaunch
from lti_grades.models import ScorePassback

NEEDS_MANUAL = "needs_manual"


@dataclass(frozen=True)
class AttemptScore:
    """What the gradebook gets for an attempt, and whether the student may see it yet."""

    score_given: float
    score_maximum: float
    activity_progress: str
    grading_progress: str
    visible: bool

    def payload(self) -> dict[str, Any]:
        """The AGS score fields (without `userId` and `timestamp`, added when sending)."""
        return {
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
        }


def _awaits_manual(submission: Submission) -> bool:
    """A person must act before the mark is final: a part marked `needs_manual` (free text, or
    no reference to mark against), or the question failed and an instructor must re-mark."""
    if submission.status == Submission.Status.ERROR:
        return submission.failure == Submission.Failure.QUESTION
    if submission.status != Submission.Status.GRADED:
        return False
    return any(
        isinstance(part, dict) and part.get("status") == NEEDS_MANUAL
        for part in (submission.feedback or {}).values()
    )


def attempt_score(*, attempt: Attempt) -> AttemptScore:
    """The attempt's score as the student sees it, with its AGS progress values.

    A paper counts each question's latest answer scaled to the paper's marks (unanswered
    questions count 0; `exams.selectors.paper_attempt_score`); a single question its latest
    marked answer. `activityProgress` is `Completed` once the attempt is closed (finished or its
    time is up), else `Submitted` (answers were marked; more may come). `gradingProgress` is
    `PendingManual` while a part awaits a person, `Pending` while an answer is still being
    marked automatically, else `FullyGraded`. `visible` is False while the rules hide the marks
    from the student (an open exam; original numbers while a sitting is open).
    """
    latest = [
        submission
        for question, _ in exam_selectors.attempt_questions(attempt=attempt)
        if (submission := exam_selectors.latest_submission(attempt=attempt, question=question))
    ]
    if attempt.paper_id is not None:
        given, maximum = exam_selectors.paper_attempt_score(attempt=attempt)
    else:
        graded = [s for s in latest if s.status == Submission.Status.GRADED]
        last = (
            attempt.submissions.filter(status=Submission.Status.GRADED)
            .order_by("-created_at")
            .first()
        )
        given = float(last.score) if last is not None else 0.0
        if last is not None:
            maximum = float(last.max_score)
        elif latest:
            maximum = float(latest[0].max_score)
        else:
            maximum = float(attempt.question.current_version.max_score)
        latest = graded or latest
    if any(_awaits_manual(s) for s in latest):
        grading = "PendingManual"
    elif any(s.status != Submission.Status.GRADED for s in latest):
        grading = "Pending"
    else:
        grading = "FullyGraded"
    closed = attempt.is_closed(timezone.now())
    return AttemptScore(
        score_given=round(float(given), 3),
        score_maximum=round(float(maximum), 3),
        activity_progress="Completed" if closed else "Submitted",
        grading_progress=grading,
        visible=all(results_visible(s) for s in latest),
    )


def _attempt_launches(*, attempt: Attempt) -> QuerySet[LtiAttemptLaunch]:
    """The launches an attempt's score follows: its own; for an attempt not opened from a
    launch (e.g. "Try a new variant" after one), those of the student's attempts at the same
    question or paper, in the same course and mode."""
    own = LtiAttemptLaunch.objects.filter(attempt=attempt)
    if own.exists():
        return own
    return LtiAttemptLaunch.objects.filter(
        attempt__student_id=attempt.student_id,
        attempt__course_id=attempt.course_id,
        attempt__question_id=attempt.question_id,
        attempt__paper_id=attempt.paper_id,
        attempt__mode=attempt.mode,
    )


def attempt_line_items(*, attempt: Attempt) -> list[tuple[LtiLineItem, LtiUser]]:
    """The (line item, LTI user) pairs an attempt's score goes to: for every resource link the
    attempt (or the student's launched attempt at the same target) was launched from, its
    newest line item (the one its launches name now), for the user who launched it."""
    pairs: dict[tuple[int, int], tuple[LtiLineItem, LtiUser]] = {}
    launches = _attempt_launches(attempt=attempt).select_related("lti_user")
    for launch in launches:
        newest = (
            LtiLineItem.objects.filter(resource_link_id=launch.resource_link_id)
            .order_by("-pk")
            .first()
        )
        if newest is not None:
            pairs[(newest.pk, launch.lti_user_id)] = (newest, launch.lti_user)
    return list(pairs.values())


def attempt_has_line_items(*, attempt: Attempt) -> bool:
    """Whether the attempt's score goes to an LMS line item (see `attempt_line_items`)."""
    links = _attempt_launches(attempt=attempt).values("resource_link_id")
    return LtiLineItem.objects.filter(resource_link_id__in=links).exists()


def course_passbacks_needing_attention(*, course: Course) -> QuerySet[ScorePassback]:
    """The course's passbacks that failed for good or are being retried, oldest first."""
    return (
        ScorePassback.objects.filter(
            course=course,
            status__in=[ScorePassback.Status.FAILED, ScorePassback.Status.RETRYING],
        )
        .select_related("lti_user__auth_user", "line_item", "attempt")
        .order_by("updated_at")
    )


def course_passback_get(*, course: Course, passback_id: int) -> ScorePassback:
    """One of the course's passbacks; another course's is not found (404)."""
    passback = ScorePassback.objects.filter(pk=passback_id, course=course).first()
    if passback is None:
        raise NotFoundError(f"No score passback {passback_id} in course '{course.slug}'.")
    return passback


def course_lti_contexts(*, course: Course) -> QuerySet[LtiContext]:
    """The LMS courses (LTI contexts) that launch into the course."""
    return LtiContext.objects.filter(tensorgrade_course__course=course).select_related(
        "deployment__registration"
    )

"""Reads: a course's endpoints and deliveries, and the payload of a marking event."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from exams import selectors as exam_selectors
from exams.errors import ApplicationError
from exams.models import Course, Membership, Submission
from exams.presentation import results_visible
from webhooks.models import WebhookDelivery, WebhookEndpoint

SUBMISSION_MARKED = "submission.marked"


def course_endpoint_list(*, course: Course) -> QuerySet[WebhookEndpoint]:
    """The course's webhook endpoints, oldest first."""
    return WebhookEndpoint.objects.filter(course=course).order_by("created_at", "id")


def course_endpoint_get(*, course: Course, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the course; raises ApplicationError 404 `webhook_not_found` otherwise."""
    endpoint = course_endpoint_list(course=course).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise ApplicationError(
            f"No webhook endpoint {endpoint_id} in course '{course.slug}'; list them at "
            f"/api/v1/courses/{course.slug}/webhooks/.",
            code="webhook_not_found",
            status=404,
        )
    return endpoint


def endpoint_delivery_list(
    *, endpoint: WebhookEndpoint, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, optionally only those with `status`."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def endpoint_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint; raises ApplicationError 404 `delivery_not_found` otherwise."""
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise ApplicationError(
            f"No delivery {delivery_id} for webhook endpoint {endpoint.pk}.",
            code="delivery_not_found",
            status=404,
        )
    return delivery


def active_endpoints_for(*, course: Course) -> QuerySet[WebhookEndpoint]:
    """The course's endpoints that receive new events."""
    return course_endpoint_list(course=course).filter(is_active=True)


def _student_external_id(*, course: Course, student_id: int) -> str | None:
    """The LMS's id of the student in the course (Membership.external_id), None when unset."""
    external_id = (
        Membership.objects.filter(course=course, user_id=student_id)
        .values_list("external_id", flat=True)
        .first()
    )
    return external_id or None


def submission_results_visible(*, submission: Submission) -> bool:
    """Whether the student may see the submission's score now, by the rule of the student's
    own pages (`exams.presentation.results_visible`), and for a paper attempt every score
    that makes up the paper's score too (an open exam sitting; practice on the original
    numbers while a sitting showing them is open)."""
    if not results_visible(submission):
        return False
    attempt = submission.attempt
    if attempt.paper is None:
        return True
    others = Submission.objects.filter(attempt=attempt).select_related(
        "attempt__course", "variant__version__question"
    )
    return all(results_visible(other) for other in others)


def submission_marked_payload(*, submission: Submission) -> dict[str, Any]:
    """The `submission.marked` event: who was marked on what, and the score. Never answers.

    Standard Webhooks shape: `type`, `timestamp` (ISO 8601, when the event was built) and
    `data`; `data.paper_score` is set for paper attempts only (the paper's score from each
    question's latest marked answer, scaled to the paper's marks). While the student may not
    see the results (`data.results_visible` false) the score, its maximum and the paper score
    are null; the same event is sent again with them once the results are visible.
    """
    submission = Submission.objects.select_related(
        "attempt__course", "attempt__paper", "variant__version__question"
    ).get(pk=submission.pk)
    attempt = submission.attempt
    course = attempt.course
    visible = submission_results_visible(submission=submission)
    paper_score = None
    if attempt.paper is not None and visible:
        score, out_of = exam_selectors.paper_attempt_score(attempt=attempt)
        paper_score = {"score": score, "max_score": out_of}
    score = float(submission.score) if submission.score is not None and visible else None
    return {
        "type": SUBMISSION_MARKED,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "course": course.slug,
            "attempt": {
                "id": attempt.pk,
                "mode": attempt.mode,
                "paper": attempt.paper.slug if attempt.paper else None,
                "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
                "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
            },
            "question": submission.variant.version.question.slug,
            "submission": {
                "id": submission.pk,
                "status": submission.status,
                "score": score,
                "max_score": float(submission.max_score) if visible else None,
                "graded_at": submission.graded_at.isoformat() if submission.graded_at else None,
            },
            "student": {
                "id": submission.student_id,
                "external_id": _student_external_id(
                    course=course, student_id=submission.student_id
                ),
            },
            "paper_score": paper_score,
            "results_visible": visible,
        },
    }

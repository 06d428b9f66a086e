"""Reads behind /metrics: counts and latencies computed from the database at scrape time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.utils import timezone

from exams.models import Submission
from lti_grades.models import ScorePassback
from webhooks.models import WebhookDelivery

LATENCY_BUCKETS_S = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
"""Upper bounds (seconds) of the marking-latency histogram's buckets; +Inf is added."""


def _counts_by(queryset: QuerySet, field: str, values: list[str]) -> dict[str, int]:
    counted = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())
    return {value: counted.get(value, 0) for value in values}


def submission_counts_by_status() -> dict[str, int]:
    """Number of submissions in each status (every status listed, zero included)."""
    return _counts_by(Submission.objects.all(), "status", Submission.Status.values)


def submission_failure_counts() -> dict[str, int]:
    """Submissions waiting in `error`, by failure: "infrastructure" (ours: sandbox, queue,
    database; retried automatically) and "question" (the question's own code failed)."""
    failures = [value for value in Submission.Failure.values if value]
    errors = Submission.objects.filter(status=Submission.Status.ERROR)
    return _counts_by(errors, "failure", failures)


def oldest_unmarked_submission_age_s() -> float:
    """Seconds since the oldest submission still pending or grading was made (0 when none)."""
    oldest = Submission.objects.filter(
        status__in=[Submission.Status.PENDING, Submission.Status.GRADING]
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return 0.0 if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())


@dataclass(frozen=True)
class LatencyHistogram:
    """Submitted→marked times: ``cumulative[i]`` submissions took at most ``bounds[i]`` s."""

    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]
    count: int
    sum_s: float


def marking_latency_histogram(*, window_s: float) -> LatencyHistogram:
    """Marking latency (graded_at − created_at, seconds) of the submissions made in the last
    ``window_s`` seconds and marked since: the time a student waits for a mark. Submissions
    made earlier and marked again (a regrade, a mark given by hand) do not count."""
    since = timezone.now() - timedelta(seconds=window_s)
    latency = ExpressionWrapper(F("graded_at") - F("created_at"), output_field=DurationField())
    marked = Submission.objects.filter(
        status=Submission.Status.GRADED, created_at__gte=since, graded_at__isnull=False
    ).annotate(latency=latency)
    buckets = {
        f"le_{index}": Count("pk", filter=Q(latency__lte=timedelta(seconds=bound)))
        for index, bound in enumerate(LATENCY_BUCKETS_S)
    }
    figures = marked.aggregate(count=Count("pk"), total=Sum("latency"), **buckets)
    total = figures["total"]
    return LatencyHistogram(
        bounds=LATENCY_BUCKETS_S,
        cumulative=tuple(figures[f"le_{index}"] for index in range(len(LATENCY_BUCKETS_S))),
        count=figures["count"],
        sum_s=total.total_seconds() if total is not None else 0.0,
    )


def lti_passback_counts_by_status() -> dict[str, int]:
    """LTI score passbacks in each status ("failed" waits for an instructor's resend)."""
    return _counts_by(ScorePassback.objects.all(), "status", ScorePassback.Status.values)


def webhook_delivery_counts_by_status() -> dict[str, int]:
    """Webhook deliveries in each status ("failed": every retry used up)."""
    return _counts_by(WebhookDelivery.objects.all(), "status", WebhookDelivery.Status.values)

"""Prometheus metrics computed at scrape time from the database and Redis.

Nothing is counted in process memory: every web process (gunicorn runs several) answers a
scrape with the same figures, read afresh from the shared database and broker. A source that
cannot be read is reported by ``tensorgrade_dependency_up`` = 0 and its metrics are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from kombu.transport.redis import PRIORITY_STEPS, Channel
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric

from config import queues
from operations import selectors
from operations.probes import broker_client

logger = logging.getLogger(__name__)


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue of config/queues.py (Redis LLEN).

    Kombu keeps a queue's messages of priority p > 0 in a list of its own, named
    ``<queue>\\x06\\x16<p>``; they are counted with the queue. Raises redis.RedisError.
    """
    keys = {
        queue: [queue] + [f"{queue}{Channel.sep}{step}" for step in PRIORITY_STEPS if step]
        for queue in queues.ALL
    }
    with broker_client() as client:
        pipeline = client.pipeline(transaction=False)
        for queue in queues.ALL:
            for key in keys[queue]:
                pipeline.llen(key)
        lengths = iter(pipeline.execute())
    return {queue: sum(next(lengths) for _ in keys[queue]) for queue in queues.ALL}


def _by_label(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in values.items():
        family.add_metric([value], count)
    return family


def _database_metrics() -> list[Metric]:
    window_s = settings.METRICS_LATENCY_WINDOW_S
    latency = selectors.marking_latency_histogram(window_s=window_s)
    histogram = HistogramMetricFamily(
        "tensorgrade_marking_latency_seconds",
        f"Submitted to marked, for submissions made in the last {window_s:g} s and marked.",
        buckets=[
            *(
                (f"{bound:g}", count)
                for bound, count in zip(latency.bounds, latency.cumulative, strict=True)
            ),
            ("+Inf", latency.count),
        ],
        sum_value=latency.sum_s,
    )
    return [
        _by_label(
            "tensorgrade_submissions",
            "Submissions in each status.",
            "status",
            selectors.submission_counts_by_status(),
        ),
        _by_label(
            "tensorgrade_submission_failures",
            "Submissions waiting in error: infrastructure (ours: sandbox, queue, database; "
            "retried automatically) or question (the question's code failed).",
            "failure",
            selectors.submission_failure_counts(),
        ),
        GaugeMetricFamily(
            "tensorgrade_oldest_unmarked_submission_age_seconds",
            "Age of the oldest submission still pending or grading (0 when none).",
            value=selectors.oldest_unmarked_submission_age_s(),
        ),
        histogram,
        _by_label(
            "tensorgrade_lti_passbacks",
            "LTI score passbacks in each status (failed: waits for an instructor's resend).",
            "status",
            selectors.lti_passback_counts_by_status(),
        ),
        _by_label(
            "tensorgrade_webhook_deliveries",
            "Webhook deliveries in each status (failed: every retry used up).",
            "status",
            selectors.webhook_delivery_counts_by_status(),
        ),
    ]


def _broker_metrics() -> list[Metric]:
    return [
        _by_label(
            "tensorgrade_celery_queue_length",
            "Messages waiting in each Celery queue (not yet taken by a worker).",
            "queue",
            queue_lengths(),
        )
    ]


class ServiceCollector:
    """A prometheus_client collector reading every figure afresh on each scrape."""

    SOURCES: dict[str, Callable[[], list[Metric]]] = {
        "database": _database_metrics,
        "broker": _broker_metrics,
    }

    def collect(self) -> Iterator[Metric]:
        """Yields each source's metrics, then whether each source could be read."""
        up = GaugeMetricFamily(
            "tensorgrade_dependency_up",
            "1 if this scrape could read the source of its metrics, else 0.",
            labels=["dependency"],
        )
        for name, read in self.SOURCES.items():
            try:
                metrics = read()
            except Exception as exc:  # noqa: BLE001 (a source down must not hide the others)
                logger.warning("Metrics: cannot read the %s: %s: %s", name, type(exc).__name__, exc)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from metrics
        yield up


def metrics_exposition() -> bytes:
    """Every metric in the Prometheus text format (version 0.0.4), computed now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector())
    return generate_latest(registry)

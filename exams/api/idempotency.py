"""The Idempotency-Key header of submission requests, in the schema and in responses."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from exams.services.submissions import SubmissionOutcome

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID) per submission. Sending the same key and body "
    "again returns the first submission (200, `Idempotent-Replayed: true`) instead of "
    "submitting twice; the same key with a different body is a 409.",
)

IDEMPOTENT_REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    location=OpenApiParameter.HEADER,
    response=[200],
    enum=["true"],
    description="Sent when the response repeats an earlier submission (same Idempotency-Key "
    "and body).",
)


def idempotency_headers(outcome: SubmissionOutcome) -> dict[str, str]:
    """`Idempotent-Replayed: true` when the response repeats an earlier submission."""
    return {"Idempotent-Replayed": "true"} if outcome.replayed else {}

"""Waiting for a variant that a real worker builds in the background (integration tests)."""

from __future__ import annotations

import time

from exams import services
from exams.models import Attempt, Question, Variant

BUILD_TIMEOUT_S = 60.0


def built_variant(
    *, attempt: Attempt, question: Question | None = None, timeout_s: float = BUILD_TIMEOUT_S
) -> Variant:
    """The attempt's variant of the question once it is no longer `building` (ready or
    failed); fails the test with AssertionError after `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while True:
        variant = services.attempt_variant(attempt=attempt, question=question)
        if variant.state != Variant.State.BUILDING:
            return variant
        if time.monotonic() > deadline:
            raise AssertionError(f"variant {variant.pk} still building after {timeout_s} s")
        time.sleep(0.1)

"""Per-student rate limits, shared by the API and the plain web forms.

The counters live in the default cache, which is Redis whenever one is configured, so every
web process counts against the same limit. The rates are REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES (SUBMISSION_RATE, RUN_TESTS_RATE).
"""

from __future__ import annotations

import math

from django.http import HttpRequest
from rest_framework.throttling import UserRateThrottle


class SubmissionRateThrottle(UserRateThrottle):
    """Submissions per student, whichever way they arrive (API or web form)."""

    scope = "submissions"


class VisibleTestsRunThrottle(UserRateThrottle):
    """Runs of a code part's visible tests per student."""

    scope = "run_tests"


def form_submission_refusal(request: HttpRequest) -> str | None:
    """Count one web-form submission against the student's submission limit.

    Returns None when it is allowed (and counted), else the message to show on the page.
    """
    throttle = SubmissionRateThrottle()
    if throttle.allow_request(request, None):
        return None
    wait_s = max(1, math.ceil(throttle.wait() or 1))
    return (
        f"Too many submissions in a short time ({throttle.rate}); nothing was submitted. "
        f"Your answers are kept below: wait {wait_s} second{'s' if wait_s != 1 else ''} and "
        "submit again."
    )

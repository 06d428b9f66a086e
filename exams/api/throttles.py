"""Per-student rate limits, shared by the API and the plain web forms.

The counters live in the default cache, which is Redis whenever one is configured, so every
web process counts against the same limit; each request adds one to its window's counter with
an atomic increment, so simultaneous requests in several processes cannot all slip under the
limit. The rates are REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (SUBMISSION_RATE, RUN_TESTS_RATE,
RUN_TESTS_PART_RATE, ATTEMPT_RATE). Visible-test runs are also limited to one at a time per
student, so one student cannot hold every sandbox slot with endless loops while others wait.

When the cache cannot be reached (Redis stopped), these limits are not applied and a warning
is logged: they protect the service, and a submission accepted meanwhile still counts against
the course's per-student limit, which lives in the database (docs/grading.md, "Faults").
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.throttling import UserRateThrottle

from api_keys.authentication import request_api_key
from exams.errors import ApplicationError

logger = logging.getLogger(__name__)
CACHE_UNAVAILABLE = (RedisError, OSError)
"""What the cache raises when its server cannot be reached (RedisCache raises redis-py's
errors; a socket error may surface as an OSError)."""


class AtomicUserRateThrottle(UserRateThrottle):
    """At most N requests per student in each fixed window of the rate's period.

    A window is the period (a second, minute, hour or day) counted from the Unix epoch; its
    counter expires with it.
    """

    def allow_request(self, request: Any, view: Any) -> bool:
        """Count this request; False when it is over the limit of the current window.

        A course API key acts for many students and is not counted here: the course's
        per-student submission limit (in the database) applies to it instead.
        """
        if self.rate is None or request_api_key(request) is not None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{self.key}_window_{window}"
        try:
            self.cache.add(counter, 0, timeout=self.duration + 1)
            try:
                count = self.cache.incr(counter)
            except ValueError:
                self.cache.add(counter, 1, timeout=self.duration + 1)
                count = 1
        except CACHE_UNAVAILABLE as exc:
            logger.warning(
                "Rate limit %s not applied: the cache is unavailable: %s", self.scope, exc
            )
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the current window ends and requests are counted afresh."""
        return max(0.0, self.window_ends - self.timer())


class SubmissionRateThrottle(AtomicUserRateThrottle):
    """Submissions per student, whichever way they arrive (API or web form)."""

    scope = "submissions"


class VisibleTestsRunThrottle(AtomicUserRateThrottle):
    """Runs of a code part's visible tests per student."""

    scope = "run_tests"


class VisibleTestsPartThrottle(AtomicUserRateThrottle):
    """Runs of the visible tests of one code part (attempt, question, part) per student.

    Visible runs say where outputs differ; limiting them per part keeps that from being used,
    run after run, to narrow down expected values. Requests without a readable part are not
    counted here (they are refused by validation).
    """

    scope = "run_tests_part"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        """`throttle_run_tests_part_<user>_<attempt>_<digest of question and part>`, or None.

        The question and part are whatever the client sent, so they enter the key only as a
        digest: the key stays short and free of spaces and control characters.
        """
        if not request.user or not request.user.is_authenticated:
            return None
        data = request.data if isinstance(request.data, dict) else {}
        part, question = data.get("part"), data.get("question", "")
        if not isinstance(part, str) or not isinstance(question, str):
            return None
        attempt = view.kwargs.get("attempt_id")
        digest = hashlib.sha256(f"{question}\0{part}".encode("utf-8", "replace")).hexdigest()
        ident = f"{request.user.pk}_{attempt}_{digest[:32]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AttemptStartThrottle(AtomicUserRateThrottle):
    """New attempts (fresh variants, each built in the sandbox) per student, API or web."""

    scope = "attempts"


RUN_LOCK_SECONDS = 300


@contextmanager
def one_visible_run_at_a_time(user_id: int) -> Iterator[None]:
    """Hold the student's one visible-tests slot while the block runs.

    Raises ApplicationError (429, `run_in_progress`) when another run of theirs is still
    going. The slot is kept in the shared cache and expires after RUN_LOCK_SECONDS even if a
    web process dies holding it.
    """
    key = f"visible-tests-running:{user_id}"
    try:
        held = cache.add(key, 1, timeout=RUN_LOCK_SECONDS)
    except CACHE_UNAVAILABLE as exc:
        logger.warning("One visible run at a time not applied: the cache is unavailable: %s", exc)
        yield
        return
    if not held:
        raise ApplicationError(
            "Your previous run of the visible tests is still going; wait for its result, then "
            "run them again.",
            code="run_in_progress",
            status=429,
        )
    try:
        yield
    finally:
        try:
            cache.delete(key)
        except CACHE_UNAVAILABLE as exc:
            logger.warning("The visible-run slot %s expires by itself: %s", key, exc)


def form_submission_refusal(request: HttpRequest) -> str | None:
    """Count one web-form submission against the student's submission limit.

    Returns None when it is allowed (and counted), else the message to show on the page.
    """
    throttle = SubmissionRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return (
        f"Too many submissions in a short time ({throttle.rate}); nothing was submitted. "
        f"Your answers are kept below: wait {_duration_text(throttle.wait())} and submit again."
    )


def form_attempt_start_check(request: HttpRequest) -> None:
    """Count one attempt started from a web page against the student's attempt limit.

    Raises ApplicationError (429, `throttled`) with a message when it is over the limit.
    """
    throttle = AttemptStartThrottle()
    if throttle.allow_request(request, None):
        return
    raise ApplicationError(
        f"Too many new attempts in a short time ({throttle.rate}); wait "
        f"{_duration_text(throttle.wait())}, then try again. Your existing attempts are kept.",
        code="throttled",
        status=429,
    )


def _duration_text(seconds: float) -> str:
    if seconds <= 90:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"

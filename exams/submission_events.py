"""Waiting for a submission's mark without a fixed poll: a Redis pub/sub channel per submission.

Marking publishes on the submission's channel (`submission_changed_publish`) after the
transaction that stores a mark or an `error` commits. A request that waits
(`submission_wait`) subscribes, then reads the row: at once, on every message, every
`RECHECK_S` seconds and when its wait ends, so a lost message costs at most `RECHECK_S`. The
row is the source of truth; a message only says "look again". Without Redis
(SUBMISSION_EVENTS_REDIS_URL empty) or when Redis fails mid-wait, the row is read every
SUBMISSION_WAIT_POLL_S seconds instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.conf import settings

from exams.models import Submission
from exams.presentation import awaiting_marking

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "tensorgrade:submission:"
# With Redis, the row is also read this often (seconds): the most a lost message can cost.
RECHECK_S = 5.0
# How long (seconds) connecting to Redis or confirming a subscription may take before the
# wait falls back to reading the row every SUBMISSION_WAIT_POLL_S.
REDIS_CONNECT_TIMEOUT_S = 1.0

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
# Requests of this process waiting now; beyond SUBMISSION_WAITS_PER_PROCESS a request is
# answered at once, so waits never take every thread of a web process.
_waiting = 0
_waiting_lock = threading.Lock()


def submission_channel(submission_id: int) -> str:
    """The Redis pub/sub channel on which changes of submission `submission_id` are announced."""
    return f"{CHANNEL_PREFIX}{submission_id}"


def _client() -> redis.Redis | None:
    """A Redis client (one connection pool per URL, shared by threads), or None without one."""
    url = settings.SUBMISSION_EVENTS_REDIS_URL
    if not url:
        return None
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
                socket_timeout=REDIS_CONNECT_TIMEOUT_S,
            )
            _clients[url] = client
        return client


def submission_changed_publish(*, submission_id: int) -> None:
    """Announce that submission `submission_id` changed (marked, or in `error`).

    Call it after the change is committed. Never raises: a Redis failure is logged and the
    waiting requests see the change at their next read of the row (within `RECHECK_S`).
    """
    client = _client()
    if client is None:
        return
    try:
        client.publish(submission_channel(submission_id), "changed")
    except redis.RedisError as exc:
        logger.warning(
            "Submission %s: could not announce its change on Redis (%s); waiting requests "
            "see it at their next read of the row",
            submission_id,
            exc,
        )


def _waiting_state(submission: Submission) -> tuple[Any, ...] | None:
    """What a waiting request watches: None when the submission will not change by itself
    (marked, or a fault of the question); while it is queued or being marked ("marking":
    `pending` and `grading` alike); while our failure waits for its retry, the failure and the
    time of the retry."""
    if not awaiting_marking(submission):
        return None
    if submission.status in (Submission.Status.PENDING, Submission.Status.GRADING):
        return ("marking",)
    return (submission.status, submission.failure, submission.next_retry_at)


def _subscribed(submission_id: int) -> Any | None:
    """A pub/sub subscribed to the submission's channel (the subscription confirmed by Redis,
    so no later announcement is missed), or None without Redis or when it fails."""
    client = _client()
    if client is None:
        return None
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(submission_channel(submission_id))
        deadline = time.monotonic() + REDIS_CONNECT_TIMEOUT_S
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=deadline - time.monotonic())
            if message is not None and message["type"] == "subscribe":
                return pubsub
    except redis.RedisError as exc:
        logger.warning(
            "Submission %s: waiting without Redis (%s); reading the row every %s s",
            submission_id,
            exc,
            settings.SUBMISSION_WAIT_POLL_S,
        )
    pubsub.close()
    return None


@contextmanager
def _wait_turn() -> Iterator[bool]:
    """Whether this request may wait: True while fewer than SUBMISSION_WAITS_PER_PROCESS
    others of this process are waiting (the turn is held until the block ends)."""
    global _waiting
    with _waiting_lock:
        granted = _waiting < settings.SUBMISSION_WAITS_PER_PROCESS
        if granted:
            _waiting += 1
    try:
        yield granted
    finally:
        if granted:
            with _waiting_lock:
                _waiting -= 1


def _reloaded(submission: Submission) -> Submission:
    """The submission as the database holds it now, with what presenting it reads."""
    return Submission.objects.select_related("attempt__course", "variant__version__question").get(
        pk=submission.pk
    )


def submission_wait(*, submission: Submission, wait_s: float) -> Submission:
    """The submission once it changes, or as it stands after `wait_s` seconds.

    Returns at once when it will not change by itself (marked, or a fault of the question),
    when `wait_s` is not positive, or when SUBMISSION_WAITS_PER_PROCESS requests of this process
    are waiting already (the client asks again: waits never take every web thread); else when
    it leaves the state it was in (queued or being marked → marked or `error`; `error` waiting
    for a retry → queued again), or after `wait_s` seconds (callers cap it: the request holds a
    web thread meanwhile). The row is read again
    on every announcement (`submission_changed_publish`), every `RECHECK_S` seconds and at the
    end; without Redis every SUBMISSION_WAIT_POLL_S seconds. Raises `Submission.DoesNotExist`
    if the row is deleted meanwhile.
    """
    initial = _waiting_state(submission)
    if initial is None or wait_s <= 0:
        return submission
    with _wait_turn() as granted:
        return _waited(submission, initial, wait_s) if granted else submission


def _waited(submission: Submission, initial: tuple[Any, ...], wait_s: float) -> Submission:
    """The waiting loop of `submission_wait`, from the submission's `initial` waiting state."""
    deadline = time.monotonic() + wait_s
    pubsub = _subscribed(submission.pk)
    try:
        while True:
            current = _reloaded(submission)
            remaining = deadline - time.monotonic()
            if _waiting_state(current) != initial or remaining <= 0:
                return current
            if pubsub is None:
                time.sleep(min(remaining, settings.SUBMISSION_WAIT_POLL_S))
                continue
            try:
                pubsub.get_message(timeout=min(remaining, RECHECK_S))
            except redis.RedisError as exc:
                logger.warning(
                    "Submission %s: Redis failed while waiting (%s); reading the row every %s s",
                    submission.pk,
                    exc,
                    settings.SUBMISSION_WAIT_POLL_S,
                )
                pubsub.close()
                pubsub = None
    finally:
        if pubsub is not None:
            pubsub.close()

"""Writes: registering endpoints, creating deliveries on marking, sending them, replaying them.

A delivery row is the source of truth: a worker claims it with a conditional update
(`sending_until`), records the attempt, and stores the outcome only while its claim holds, so
a duplicate task, a replay and the sweep never send a delivery twice at once and never re-send
one that succeeded. Failed attempts are retried after each pause of WEBHOOKS_RETRY_BACKOFF_S in
turn; then the delivery is `failed` until someone replays it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from exams.errors import ApplicationError
from exams.models import Course, Submission
from webhooks import selectors, signing, transport
from webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_COURSE = 10
MAX_URL_LENGTH = 2000
DETAIL_MAX_CHARS = 2000
SWEEP_BATCH = 500
PENDING = WebhookDelivery.Status.PENDING
SUCCEEDED = WebhookDelivery.Status.SUCCEEDED
FAILED = WebhookDelivery.Status.FAILED


def _url_checked(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ApplicationError(
            f"The URL is longer than {MAX_URL_LENGTH} characters.", code="invalid_webhook_url"
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ApplicationError(
            "Give a full http or https URL, e.g. https://lms.example.edu/tensorgrade/webhook.",
            code="invalid_webhook_url",
        ) from exc
    refused = transport.literal_host_refused(
        url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS
    )
    if refused:
        raise ApplicationError(
            f"{refused} Webhooks are only sent to public addresses; use a URL your server "
            "answers on from the internet.",
            code="webhook_url_refused",
        )
    return url


def webhook_endpoint_check(*, course: Course, url: str) -> str:
    """The URL, stripped, if it may be registered for the course.

    Raises ApplicationError 400 `invalid_webhook_url` (not an http(s) URL),
    400 `webhook_url_refused` (localhost or a private address, unless
    WEBHOOKS_ALLOW_PRIVATE_URLS), 409 `webhook_exists` (already registered for the course) and
    409 `too_many_webhooks` (the course has MAX_ENDPOINTS_PER_COURSE already).
    """
    url = _url_checked(url)
    if selectors.course_endpoint_list(course=course).filter(url=url).exists():
        raise ApplicationError(
            f"{url} is already registered for course '{course.slug}'; delete it first to get a "
            "new secret.",
            code="webhook_exists",
            status=409,
        )
    if selectors.course_endpoint_list(course=course).count() >= MAX_ENDPOINTS_PER_COURSE:
        raise ApplicationError(
            f"Course '{course.slug}' has {MAX_ENDPOINTS_PER_COURSE} webhook endpoints, the most "
            "allowed; delete one first.",
            code="too_many_webhooks",
            status=409,
        )
    return url


def webhook_endpoint_create(
    *, course: Course, url: str, description: str = "", is_active: bool = True
) -> WebhookEndpoint:
    """Register `url` for the course's events, with a fresh secret (shown once to the caller).

    Raises the ApplicationErrors of `webhook_endpoint_check`.
    """
    url = webhook_endpoint_check(course=course, url=url)
    try:
        with transaction.atomic():
            return WebhookEndpoint.objects.create(
                course=course,
                url=url,
                description=description,
                is_active=is_active,
                secret=signing.secret_new(),
            )
    except IntegrityError as exc:
        raise ApplicationError(
            f"{url} is already registered for course '{course.slug}'.",
            code="webhook_exists",
            status=409,
        ) from exc


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, is_active: bool | None = None, description: str | None = None
) -> WebhookEndpoint:
    """Turn an endpoint on or off (off: no new deliveries) or change its description."""
    if is_active is not None:
        endpoint.is_active = is_active
    if description is not None:
        endpoint.description = description
    endpoint.save(update_fields=["is_active", "description"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its deliveries; deliveries still queued are dropped unsent."""
    endpoint.delete()


def _enqueue_send(delivery_id: int, *, countdown_s: float = 0.0) -> None:
    """Send the delivery task; a broker failure is logged and the sweep sends it later."""
    from webhooks.tasks import send_delivery

    try:
        send_delivery.apply_async((delivery_id,), countdown=countdown_s or None)
    except Exception:
        logger.exception(
            "Could not enqueue webhook delivery %s; the sweep will send it", delivery_id
        )


def _delivery_create(
    *, endpoint: WebhookEndpoint, submission: Submission, payload: dict, now: datetime
) -> WebhookDelivery:
    """A delivery of `payload` to `endpoint`, due now, with a fresh message id; held back when
    the payload's scores are hidden from the student."""
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        submission=submission,
        event_type=payload["type"],
        message_id=signing.message_id_new(),
        payload=payload,
        max_attempts=1 + len(settings.WEBHOOKS_RETRY_BACKOFF_S),
        next_attempt_at=now,
        results_held=not payload["data"]["results_visible"],
    )


def deliveries_create_for_marking(*, submission: Submission) -> list[WebhookDelivery]:
    """One `submission.marked` delivery per active endpoint of the submission's course.

    Each is sent by its own task once the rows are committed. Returns the deliveries created
    (none when the course has no active endpoint).
    """
    course = Course.objects.get(attempts__submissions=submission)
    endpoints = list(selectors.active_endpoints_for(course=course))
    if not endpoints:
        return []
    payload = selectors.submission_marked_payload(submission=submission)
    now = timezone.now()
    with transaction.atomic():
        deliveries = [
            _delivery_create(endpoint=endpoint, submission=submission, payload=payload, now=now)
            for endpoint in endpoints
        ]
        for delivery in deliveries:
            transaction.on_commit(lambda pk=delivery.pk: _enqueue_send(pk))
    return deliveries


def deliveries_create_for_released_results() -> list[WebhookDelivery]:
    """The sweep (beat): for each delivery that held a score back while the student could
    not see it, once they can (the exam sitting finished or its deadline passed; the exam on
    the original numbers closed), a new `submission.marked` delivery with the score, to the
    same endpoint if it is still active. One per endpoint and submission however many were
    held (e.g. a re-mark meanwhile); a held delivery whose submission was deleted is dropped.
    Returns the deliveries created, each sent by its own task after commit.
    """
    held = (
        WebhookDelivery.objects.filter(results_held=True)
        .order_by()
        .values_list("submission_id", "endpoint_id")
        .distinct()
    )
    by_submission: dict[int | None, set[int]] = {}
    for submission_id, endpoint_id in held:
        by_submission.setdefault(submission_id, set()).add(endpoint_id)
    WebhookDelivery.objects.filter(results_held=True, submission__isnull=True).update(
        results_held=False
    )
    by_submission.pop(None, None)
    created: list[WebhookDelivery] = []
    for submission in Submission.objects.filter(pk__in=by_submission).select_related(
        "attempt__course", "variant__version__question"
    ):
        if not selectors.submission_results_visible(submission=submission):
            continue
        payload = selectors.submission_marked_payload(submission=submission)
        now = timezone.now()
        with transaction.atomic():
            for endpoint in WebhookEndpoint.objects.filter(pk__in=by_submission[submission.pk]):
                # The update takes the rows: a sweep running alongside finds none left.
                released = WebhookDelivery.objects.filter(
                    results_held=True, submission=submission, endpoint=endpoint
                ).update(results_held=False)
                if not released or not endpoint.is_active:
                    continue
                delivery = _delivery_create(
                    endpoint=endpoint, submission=submission, payload=payload, now=now
                )
                created.append(delivery)
                transaction.on_commit(lambda pk=delivery.pk: _enqueue_send(pk))
    return created


def _idle(now: datetime) -> Q:
    """Deliveries no worker is sending right now (no claim, or an expired one)."""
    return Q(sending_until__isnull=True) | Q(sending_until__lte=now)


def _claim_lasts() -> timedelta:
    """How long a worker's claim on a delivery lasts: longer than any one attempt can take
    (a name lookup, then up to two addresses with a budget of twice the timeout each)."""
    return timedelta(seconds=6 * settings.WEBHOOKS_TIMEOUT_S + 60)


def _claim(delivery_id: int, now: datetime) -> int | None:
    """Take the delivery for one attempt; returns the attempt's number, None if not due/held."""
    claimed = WebhookDelivery.objects.filter(
        _idle(now),
        pk=delivery_id,
        status=PENDING,
        next_attempt_at__lte=now,
        attempts__lt=F("max_attempts"),
    ).update(attempts=F("attempts") + 1, sending_until=now + _claim_lasts(), updated_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)


def _pause_s(number: int) -> float:
    """The pause after failed attempt `number` (1-based); the last pause repeats."""
    pauses = settings.WEBHOOKS_RETRY_BACKOFF_S
    return float(pauses[min(number - 1, len(pauses) - 1)]) if pauses else 0.0


def _post(delivery: WebhookDelivery) -> tuple[transport.HttpAnswer | None, str, bool]:
    """POST the delivery once: (answer or None, error text, whether retrying could help)."""
    body = signing.payload_body(delivery.payload)
    headers = signing.signed_headers(
        secret=delivery.endpoint.secret,
        message_id=delivery.message_id,
        sent_at=timezone.now(),
        body=body,
    )
    try:
        answer = transport.post(
            delivery.endpoint.url,
            body.encode("utf-8"),
            headers,
            timeout_s=settings.WEBHOOKS_TIMEOUT_S,
            allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS,
        )
    except transport.TargetRefused as exc:
        return None, f"Refused: {exc}", False
    except transport.SendFailed as exc:
        return None, str(exc), True
    except Exception as exc:
        logger.exception("Webhook delivery %s: sending failed on our side", delivery.message_id)
        return None, f"{type(exc).__name__}: {exc}", True
    if 200 <= answer.status < 300:
        return answer, "", False
    if 300 <= answer.status < 400:
        return answer, f"HTTP {answer.status}: redirects are not followed", True
    return answer, f"HTTP {answer.status}", True


def delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Make the next attempt of a due delivery and store its outcome.

    Does nothing (and returns the row as it stands) when the delivery is not pending, not due,
    or another worker holds it, so duplicate tasks never send twice and a succeeded delivery is
    never re-sent. A pending delivery of an endpoint turned off becomes `failed` unsent. A 2xx
    answer makes it `succeeded`; otherwise it is retried after the next pause of
    WEBHOOKS_RETRY_BACKOFF_S (a retry task is enqueued), or becomes `failed` when its attempts
    are used up or the URL is refused. Returns None for an unknown (or meanwhile deleted) id.
    """
    now = timezone.now()
    WebhookDelivery.objects.filter(
        _idle(now), pk=delivery_id, status=PENDING, endpoint__is_active=False
    ).update(
        status=FAILED,
        next_attempt_at=None,
        sending_until=None,
        last_error="The endpoint was turned off; turn it on and replay the delivery to send it.",
        updated_at=now,
    )
    number = _claim(delivery_id, now)
    if number is None:
        return WebhookDelivery.objects.filter(pk=delivery_id).first()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    attempt = WebhookDeliveryAttempt.objects.create(
        delivery=delivery, number=number, started_at=now
    )
    answer, error, retryable = _post(delivery)
    finished = timezone.now()
    succeeded = answer is not None and not error
    outcome = {
        "last_response_status": answer.status if answer else None,
        "last_response_excerpt": answer.excerpt if answer else "",
        "last_error": error[:DETAIL_MAX_CHARS],
    }
    # Updates, not saves: the endpoint (and so this row) may have been deleted meanwhile.
    WebhookDeliveryAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=finished,
        response_status=outcome["last_response_status"],
        response_excerpt=outcome["last_response_excerpt"],
        error=outcome["last_error"],
        succeeded=succeeded,
    )
    outcome |= {"sending_until": None, "updated_at": finished}
    held = WebhookDelivery.objects.filter(pk=delivery_id, status=PENDING, attempts=number)
    if succeeded:
        held.update(status=SUCCEEDED, next_attempt_at=None, delivered_at=finished, **outcome)
    elif retryable and number < delivery.max_attempts:
        pause_s = _pause_s(number)
        if held.update(next_attempt_at=finished + timedelta(seconds=pause_s), **outcome):
            transaction.on_commit(lambda: _enqueue_send(delivery_id, countdown_s=pause_s))
    else:
        held.update(status=FAILED, next_attempt_at=None, **outcome)
    if not succeeded:
        logger.warning(
            "Webhook delivery %s attempt %s to %s failed: %s",
            delivery.message_id,
            number,
            delivery.endpoint.url,
            error,
        )
    return WebhookDelivery.objects.filter(pk=delivery_id).first()


def delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, as a new attempt with the same message id and payload.

    A succeeded or failed delivery gets one more attempt (no automatic retries after it); a
    pending one waiting for its next retry is sent now (one more attempt if its last one was
    interrupted). Raises ApplicationError 409
    `delivery_in_flight` while an attempt is being sent and 409 `webhook_inactive` when its
    endpoint is turned off.
    """
    if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
        raise ApplicationError(
            "This delivery's webhook endpoint is turned off; turn it on (is_active) to send to "
            "it again.",
            code="webhook_inactive",
            status=409,
        )
    now = timezone.now()
    idle = WebhookDelivery.objects.filter(_idle(now), pk=delivery.pk)
    with transaction.atomic():
        moved = idle.filter(status__in=[SUCCEEDED, FAILED]).update(
            status=PENDING,
            next_attempt_at=now,
            max_attempts=F("attempts") + 1,
            updated_at=now,
        ) or idle.filter(status=PENDING).update(
            next_attempt_at=now,
            sending_until=None,
            max_attempts=Greatest(F("max_attempts"), F("attempts") + 1),
            updated_at=now,
        )
        if not moved:
            raise ApplicationError(
                "This delivery is being sent right now; wait for the attempt to finish and look "
                "at its outcome before replaying it.",
                code="delivery_in_flight",
                status=409,
            )
        transaction.on_commit(lambda: _enqueue_send(delivery.pk))
    return WebhookDelivery.objects.get(pk=delivery.pk)


def deliveries_send_due(*, now: datetime | None = None) -> list[int]:
    """The sweep (beat): enqueue deliveries overdue by a sweep interval; returns their ids.

    Covers lost queue messages and workers that died mid-attempt (their claim expires). A
    delivery whose interrupted attempt was its last becomes `failed`.
    """
    now = now or timezone.now()
    pending = WebhookDelivery.objects.filter(_idle(now), status=PENDING)
    pending.filter(attempts__gte=F("max_attempts")).update(
        status=FAILED,
        next_attempt_at=None,
        sending_until=None,
        last_error="The last attempt was interrupted (its worker stopped); replay it to retry.",
        updated_at=now,
    )
    overdue_since = now - timedelta(seconds=settings.WEBHOOKS_SWEEP_EVERY_S)
    due = list(
        pending.filter(attempts__lt=F("max_attempts"), next_attempt_at__lte=overdue_since)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for delivery_id in due:
        transaction.on_commit(lambda pk=delivery_id: _enqueue_send(pk))
    return due

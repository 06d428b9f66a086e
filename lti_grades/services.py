"""Writes: score passbacks to LMS gradebooks (AGS) and roster syncs (NRPS)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lti_tool.models import LtiContext, LtiLineItem, LtiMembership, LtiUser

from exams.errors import ApplicationError
from exams.models import Attempt, Course, Membership
from lti import services as lti_services
from lti_grades import client, selectors
from lti_grades.models import ScorePassback

logger = logging.getLogger(__name__)

Status = ScorePassback.Status
SENDING_LEASE_S = 300
ERROR_CHARS = 2000


def _pause(index: int) -> float:
    """The `index`-th pause of LTI_PASSBACK_BACKOFF_S; the last one repeats."""
    pauses = settings.LTI_PASSBACK_BACKOFF_S
    return float(pauses[min(index, len(pauses) - 1)])


def _enqueue_send(passback_id: int, *, countdown_s: float = 0.0) -> None:
    """Send the passback task; a broker failure is logged and left to the sweep."""
    from lti_grades.tasks import send_score_passback

    try:
        send_score_passback.apply_async((passback_id,), countdown=countdown_s or None)
    except Exception:
        logger.exception("Could not enqueue score passback %s; the sweep will", passback_id)


def _unsent_fields(sent: dict[str, Any] | None) -> dict[str, Any] | None:
    """The score fields of a sent body, without `userId` and `timestamp`."""
    if sent is None:
        return None
    return {k: v for k, v in sent.items() if k not in ("userId", "timestamp")}


def passback_refresh(
    *, line_item: LtiLineItem, lti_user: LtiUser, attempt: Attempt
) -> ScorePassback:
    """Record the attempt's current score for (line item, user); queue a send if it changed.

    Nothing is queued when the score and progress equal what the platform last accepted, or
    what is already waiting or being sent; a changed score resets the tries of a failed or
    retrying one. While the student may not see the marks (an open exam) the score is `held`
    and sent by the sweep once they may. Returns the row. Raises nothing for a platform
    problem: sending happens in its own task.
    """
    score = selectors.attempt_score(attempt=attempt)
    payload = score.payload()
    enqueue = False
    with transaction.atomic():
        row, _ = ScorePassback.objects.select_for_update().get_or_create(
            line_item=line_item,
            lti_user=lti_user,
            defaults={"course": attempt.course, "attempt": attempt, "status": Status.HELD},
        )
        changed = row.payload != payload or row.attempt_id != attempt.pk
        row.attempt = attempt
        row.payload = payload
        if not score.visible:
            if row.status != Status.SENDING:
                row.status = Status.HELD
        elif row.status == Status.SENDING:
            pass  # the sender sees the new payload when it finishes and sends it next
        elif payload == _unsent_fields(row.sent_payload):
            if row.status in (Status.HELD, Status.PENDING, Status.RETRYING, Status.FAILED):
                row.status, row.tries, row.error, row.error_status = Status.SENT, 0, "", None
                row.sent_at = row.sent_at or timezone.now()
        elif changed or row.status in (Status.HELD, Status.SENT):
            row.status, row.tries, row.error, row.error_status = Status.PENDING, 0, "", None
            row.next_try_at = timezone.now()
            enqueue = True
        row.save()
        if enqueue:
            transaction.on_commit(lambda: _enqueue_send(row.pk))
    return row


def attempt_passbacks_refresh(*, attempt_id: int) -> list[ScorePassback]:
    """Refresh the passbacks of every line item the attempt was launched into."""
    attempt = Attempt.objects.select_related("course", "paper", "question").filter(pk=attempt_id)
    attempt = attempt.first()
    if attempt is None:
        return []
    return [
        passback_refresh(line_item=line_item, lti_user=lti_user, attempt=attempt)
        for line_item, lti_user in selectors.attempt_line_items(attempt=attempt)
    ]


def _next_timestamp(last: datetime | None, now: datetime) -> datetime:
    """`now` to the millisecond (as sent), or 1 ms after `last` if that is not later: the
    platform ignores a score whose timestamp is not after the last one it took."""
    stamp = now.replace(microsecond=now.microsecond // 1000 * 1000)
    if last is not None and stamp <= last:
        return last + timedelta(milliseconds=1)
    return stamp


def passback_send(*, passback_id: int) -> ScorePassback | None:
    """Post the passback's score to its line item, if it is due; record what happened.

    Claims the row (one sender at a time), posts `payload` with `userId` and a timestamp later
    than the last sent, then: `sent`; or, if the score changed meanwhile, `pending` again and
    sent next; or on failure `retrying` (after the next pause of LTI_PASSBACK_BACKOFF_S) while
    tries are left and the failure may pass (no answer, 5xx, 408, 429), else `failed` with the
    platform's answer for an instructor to see. Returns the row, or None if it is gone.
    """
    now = timezone.now()
    claimed = ScorePassback.objects.filter(
        Q(next_try_at__isnull=True) | Q(next_try_at__lte=now),
        pk=passback_id,
        status__in=[Status.PENDING, Status.RETRYING],
    ).update(status=Status.SENDING, sending_until=now + timedelta(seconds=SENDING_LEASE_S))
    row = (
        ScorePassback.objects.select_related("line_item__context__deployment__registration")
        .filter(pk=passback_id)
        .first()
    )
    if not claimed or row is None:
        return row
    stamp = _next_timestamp(row.last_timestamp, now)
    body = {
        **row.payload,
        "userId": row.lti_user.sub,
        "timestamp": stamp.isoformat(timespec="milliseconds"),
    }
    ScorePassback.objects.filter(pk=row.pk).update(last_timestamp=stamp, tries=row.tries + 1)
    registration = row.line_item.context.deployment.registration
    try:
        client.score_post(registration=registration, line_item_url=row.line_item.url, body=body)
    except client.PlatformError as exc:
        return _passback_failed(row=row, error=exc)
    with transaction.atomic():
        current = ScorePassback.objects.select_for_update().get(pk=row.pk)
        current.sent_payload, current.sent_at = body, timezone.now()
        current.error, current.error_status, current.sending_until = "", None, None
        if current.payload == row.payload:
            current.status = Status.SENT
        else:
            current.status, current.tries, current.next_try_at = Status.PENDING, 0, None
            transaction.on_commit(lambda: _enqueue_send(current.pk))
        current.save()
    logger.info("Score passback %s sent: %s", row.pk, body)
    return current


def _passback_failed(*, row: ScorePassback, error: client.PlatformError) -> ScorePassback:
    tries = row.tries + 1
    final = not error.retryable or tries >= settings.LTI_PASSBACK_TRIES
    pause = 0.0 if final else _pause(tries - 1)
    with transaction.atomic():
        current = ScorePassback.objects.select_for_update().get(pk=row.pk)
        current.error = str(error)[:ERROR_CHARS] or "the platform refused the score"
        current.error_status = error.status
        current.sending_until = None
        current.tries = tries
        if current.payload != row.payload:
            current.status, current.tries, current.next_try_at = Status.PENDING, 0, None
            transaction.on_commit(lambda: _enqueue_send(current.pk))
        elif final:
            current.status, current.next_try_at = Status.FAILED, None
        else:
            current.status = Status.RETRYING
            current.next_try_at = timezone.now() + timedelta(seconds=pause)
            transaction.on_commit(lambda: _enqueue_send(current.pk, countdown_s=pause))
        current.save()
    logger.warning("Score passback %s failed (try %s): %s", row.pk, tries, error)
    return current


def passback_resend(*, passback: ScorePassback) -> ScorePassback:
    """Send a failed (or retrying) passback again now, with fresh tries and today's score
    (held instead while the student may not see the marks, like any score).

    Raises ApplicationError (409) when it is not failed or retrying.
    """
    if passback.status not in (Status.FAILED, Status.RETRYING):
        raise ApplicationError(
            f"This score is {passback.get_status_display()}; only a failed score can be resent.",
            code="not_failed",
            status=409,
        )
    visible = True
    if passback.attempt is not None:
        score = selectors.attempt_score(attempt=passback.attempt)
        passback.payload, visible = score.payload(), score.visible
    passback.tries, passback.next_try_at = 0, timezone.now()
    passback.status = Status.PENDING if visible else Status.HELD
    passback.save(update_fields=["payload", "status", "tries", "next_try_at", "updated_at"])
    if visible:
        transaction.on_commit(lambda: _enqueue_send(passback.pk))
    return passback


def passbacks_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue what is due and lost nothing: held scores whose results are now visible, pending
    or retrying ones whose try is due (a lost task), and `sending` ones whose sender died.
    Returns the ids queued."""
    now = now or timezone.now()
    ScorePassback.objects.filter(status=Status.SENDING, sending_until__lt=now).update(
        status=Status.PENDING, sending_until=None, next_try_at=now
    )
    for row in ScorePassback.objects.filter(status=Status.HELD).select_related("attempt"):
        if row.attempt is not None:
            passback_refresh(line_item=row.line_item, lti_user=row.lti_user, attempt=row.attempt)
    due = ScorePassback.objects.filter(
        Q(next_try_at__isnull=True) | Q(next_try_at__lte=now - timedelta(seconds=60)),
        status__in=[Status.PENDING, Status.RETRYING],
    ).values_list("pk", flat=True)
    queued = list(due)
    for passback_id in queued:
        transaction.on_commit(lambda passback_id=passback_id: _enqueue_send(passback_id))
    return queued


# ---------------------------------------------------------------------------- NRPS


@dataclass
class RosterSyncReport:
    """What a roster sync changed."""

    members_listed: int = 0
    users_created: int = 0
    memberships_created: int = 0
    memberships_updated: int = 0
    memberships_removed: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # members without a role we map

    def summary(self) -> str:
        """The counts in one sentence, for the page and the command."""
        return (
            f"{self.members_listed} listed: {self.users_created} new users, "
            f"{self.memberships_created} added, {self.memberships_updated} role changes, "
            f"{self.memberships_removed} removed, {self.unchanged} unchanged"
            + (f", {len(self.skipped)} skipped (no role we map)" if self.skipped else "")
        )


def roster_sync(*, course: Course) -> RosterSyncReport:
    """Fetch the members of every LMS course (LTI context) linked to `course` over NRPS and
    make the course's memberships match: new users and memberships created, roles updated
    (Learner → student; Instructor, TeachingAssistant → instructor), and members who came from
    one of those LMS courses but are no longer listed (or are inactive) removed from the
    course. Their attempts, submissions and marks are kept; a later launch or sync adds them
    back. Accounts that did not come from LTI are never touched.

    Every page of every context is fetched before anything changes. Raises ApplicationError:
    404 `not_lti_linked` when no LMS course with a memberships URL launches into `course`, 502
    `platform_error` when the platform refuses or does not answer, 409 `empty_roster` when it
    lists nobody (nothing is removed on a platform's word that the class is empty).
    """
    contexts = [c for c in selectors.course_lti_contexts(course=course) if c.memberships_url]
    if not contexts:
        raise ApplicationError(
            f"Course '{course.slug}' is not linked to an LMS course with Names and Roles "
            "Provisioning: launch it once from the LMS with that service enabled.",
            code="not_lti_linked",
            status=404,
        )
    fetched: list[tuple[LtiContext, list[dict[str, Any]]]] = []
    for context in contexts:
        try:
            members = client.members_fetch(
                registration=context.deployment.registration,
                memberships_url=context.memberships_url,
            )
        except client.PlatformError as exc:
            raise ApplicationError(
                f"The LMS did not give the roster of '{context}': {exc}",
                code="platform_error",
                status=502,
            ) from exc
        fetched.append((context, members))
    if not any(members for _, members in fetched):
        raise ApplicationError(
            "The LMS listed no members, so nothing was changed; check the tool's Names and "
            "Roles setting in the LMS.",
            code="empty_roster",
            status=409,
        )
    report = RosterSyncReport()
    with transaction.atomic():
        wanted: dict[int, str] = {}
        for context, members in fetched:
            _context_apply(context=context, members=members, wanted=wanted, report=report)
        _memberships_apply(course=course, wanted=wanted, contexts=contexts, report=report)
    return report


PICTURE_URL_MAX = 200
NAME_MAX = 500


def _member_cleaned(member: dict[str, Any]) -> dict[str, Any]:
    """An NRPS member as django-lti stores it: `status` defaults to Active (NRPS may leave it
    out), `roles` to none, names cut to their columns, an over-long picture URL left out."""
    cleaned = {**member, "status": member.get("status") or "Active"}
    cleaned["roles"] = list(member.get("roles") or [])
    for name in ("name", "given_name", "family_name"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name][:NAME_MAX]
    if len(str(cleaned.get("picture") or "")) > PICTURE_URL_MAX:
        cleaned.pop("picture")
    return cleaned


def _context_apply(
    *,
    context: LtiContext,
    members: list[dict[str, Any]],
    wanted: dict[int, str],
    report: RosterSyncReport,
) -> None:
    """Record a context's members as LTI users and memberships; fill `wanted` (user → role)."""
    context.update_memberships([_member_cleaned(m) for m in members if m.get("user_id")])
    registration = context.deployment.registration
    for member in members:
        report.members_listed += 1
        role = lti_services.lti_role_map(roles=member.get("roles", []))
        if not member.get("user_id") or role is None:
            report.skipped.append(str(member.get("user_id", "")))
            continue
        if member.get("status", "Active") != "Active":
            continue
        lti_user = LtiUser.objects.get(registration=registration, sub=member["user_id"])
        had_user = lti_user.auth_user_id is not None
        user = lti_services.lti_account_get_or_create(lti_user=lti_user)
        report.users_created += not had_user
        if wanted.get(user.pk) != Membership.Role.INSTRUCTOR:
            wanted[user.pk] = role


def _memberships_apply(
    *,
    course: Course,
    wanted: dict[int, str],
    contexts: list[LtiContext],
    report: RosterSyncReport,
) -> None:
    existing = {m.user_id: m for m in Membership.objects.filter(course=course)}
    for user_id, role in wanted.items():
        membership = existing.get(user_id)
        if membership is None:
            Membership.objects.create(course=course, user_id=user_id, role=role)
            report.memberships_created += 1
        elif membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
            report.memberships_updated += 1
        else:
            report.unchanged += 1
    registrations = {c.deployment.registration_id for c in contexts}
    subs = dict(
        LtiUser.objects.filter(
            registration_id__in=registrations, auth_user_id__in=wanted
        ).values_list("auth_user_id", "sub")
    )
    for membership in Membership.objects.filter(course=course, user_id__in=wanted, external_id=""):
        lti_services.lti_membership_external_id_fill(
            membership=membership, lti_user_id=subs.get(membership.user_id, "")
        )
    from_lti = set(
        LtiUser.objects.filter(
            registration_id__in=registrations, auth_user__isnull=False
        ).values_list("auth_user_id", flat=True)
    )
    gone = [uid for uid in existing if uid in from_lti and uid not in wanted]
    report.memberships_removed = Membership.objects.filter(
        course=course, user_id__in=gone
    ).delete()[0]
    LtiMembership.objects.filter(context__in=contexts, user__auth_user_id__in=gone).update(
        is_active=False
    )

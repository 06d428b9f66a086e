"""Enrolments from an LMS roster: course memberships keyed by the LMS's external user id."""

from __future__ import annotations

import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exams.errors import ApplicationError
from exams.models import Course, Membership, RosterLink

EXTERNAL_ID_MAX_CHARS = Membership._meta.get_field("external_id").max_length


def _external_id_cleaned(external_id: str) -> str:
    external_id = external_id.strip()
    if not external_id or len(external_id) > EXTERNAL_ID_MAX_CHARS:
        raise ApplicationError(
            f"An external id is 1 to {EXTERNAL_ID_MAX_CHARS} characters (the LMS's user id).",
            code="invalid_external_id",
        )
    return external_id


def _new_username(*, course: Course, external_id: str) -> str:
    """A readable username not taken yet: `lms-<course>-<external id>`, with a random suffix
    when that name (or a shortened one) is taken."""
    User = get_user_model()
    limit = User._meta.get_field(User.USERNAME_FIELD).max_length
    readable = re.sub(r"[^\w.@+-]", "-", external_id)[: limit - len(course.slug) - 16]
    base = f"lms-{course.slug}-{readable}"[: limit - 9]
    username = base
    while User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        username = f"{base}-{secrets.token_hex(4)}"
    return username


def _account_created(
    *, course: Course, external_id: str, email: str, name: tuple[str, str]
) -> AbstractBaseUser:
    """A new account for the roster's external id, under a username we choose (no password:
    they sign in through the LMS, or an admin sets one). A name taken meanwhile by another
    request gets another suffix; an existing account is never used."""
    User = get_user_model()
    for _ in range(5):
        user = User(
            **{User.USERNAME_FIELD: _new_username(course=course, external_id=external_id)},
            email=email,
            first_name=name[0],
            last_name=name[1],
        )
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password", User.USERNAME_FIELD])
        except ValidationError as exc:
            raise ApplicationError(
                f"That account cannot be created: {'; '.join(exc.messages)}",
                code="invalid_enrolment",
            ) from exc
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            continue
        return user
    raise ApplicationError(
        "Could not choose a free username for the new account; repeat the request.",
        code="enrolment_conflict",
        status=409,
    )


def _profile_update(*, user: AbstractBaseUser, email: str, name: tuple[str, str]) -> None:
    changed = {"email": email, "first_name": name[0], "last_name": name[1]}
    updates = [f for f, v in changed.items() if v and getattr(user, f, None) != v]
    for field in updates:
        setattr(user, field, changed[field])
    if updates:
        user.save(update_fields=updates)


def _link_for(*, course: Course, external_id: str) -> RosterLink | None:
    """The course's link for the external id: stored, or made now from a membership that
    carries the id without one (never marked as an account the roster created)."""
    link = (
        RosterLink.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(course=course, external_id=external_id)
        .first()
    )
    if link is not None:
        return link
    member = (
        Membership.objects.select_related("user")
        .filter(course=course, external_id=external_id)
        .first()
    )
    if member is None:
        return None
    try:
        with transaction.atomic():
            return RosterLink.objects.create(
                course=course, external_id=external_id, user=member.user
            )
    except IntegrityError:
        raise ApplicationError(
            f"The account enrolled as '{external_id}' is linked to another external id of "
            "this course; remove one of the two enrolments first.",
            code="enrolment_conflict",
            status=409,
        ) from None


@transaction.atomic
def enrolment_upsert(
    *,
    course: Course,
    external_id: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Membership, bool]:
    """Enrol (or update) the LMS user `external_id` in the course with `role`.

    The account linked to the external id in this course (even after its membership was
    removed) is enrolled again or updated: role always; email and name only when this course's
    roster created that account. An unknown external id gets a NEW account under a username we
    choose (`lms-<course>-<external id>`, suffixed when taken); an existing account is never
    enrolled by name. Returns (membership, created).

    Raises ApplicationError (400, `invalid_external_id` / `invalid_enrolment`) for a bad id,
    role, email or name; (409, `enrolment_conflict`) when the linked account is in the course
    under another external id, or a concurrent request enrolled the id first.
    """
    external_id = _external_id_cleaned(external_id)
    if role not in Membership.Role.values:
        raise ApplicationError(
            f"Role must be one of {', '.join(Membership.Role.values)}.", code="invalid_enrolment"
        )
    name = (first_name, last_name)
    link = _link_for(course=course, external_id=external_id)
    if link is None:
        user = _account_created(course=course, external_id=external_id, email=email, name=name)
        try:
            with transaction.atomic():
                link = RosterLink.objects.create(
                    course=course, external_id=external_id, user=user, created_account=True
                )
        except IntegrityError:
            raise ApplicationError(
                f"External id '{external_id}' was enrolled by another request just now; "
                "repeat the request to update it.",
                code="enrolment_conflict",
                status=409,
            ) from None
    elif link.created_account:
        _profile_update(user=link.user, email=email, name=name)
    user = link.user
    membership = Membership.objects.select_for_update().filter(course=course, user=user).first()
    if membership is not None and membership.external_id not in ("", external_id):
        raise ApplicationError(
            f"The account of external id '{external_id}' is enrolled in this course under "
            f"external id '{membership.external_id}'; remove that enrolment first.",
            code="enrolment_conflict",
            status=409,
        )
    if membership is not None:
        if (membership.external_id, membership.role) != (external_id, role):
            membership.external_id, membership.role = external_id, role
            membership.save(update_fields=["external_id", "role"])
        return membership, False
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                course=course, user=user, role=role, external_id=external_id
            )
    except IntegrityError:
        raise ApplicationError(
            f"External id '{external_id}' was enrolled by another request just now; repeat "
            "the request to update it.",
            code="enrolment_conflict",
            status=409,
        ) from None
    return membership, True


@transaction.atomic
def enrolment_remove(*, membership: Membership) -> None:
    """Remove the member from the course. Their account, attempts and submissions are kept,
    and so is the link of their external id: enrolling the same external id again restores
    the same account with its work. A member whose external id came from elsewhere (an LTI
    launch or roster sync, the admin) gets that link now, before the membership goes.

    Raises ApplicationError (409, `enrolment_conflict`) when the account is linked to another
    external id of the course; nothing is removed then."""
    if membership.external_id:
        _link_for(course=membership.course, external_id=membership.external_id)
    membership.delete()

"""Enrolments from an LMS roster: course memberships keyed by the LMS's external user id."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exams.errors import ApplicationError
from exams.models import Course, Membership

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
    """A free username for a user created from the roster: `lms-<course>-<external id>`."""
    User = get_user_model()
    limit = User._meta.get_field(User.USERNAME_FIELD).max_length
    readable = re.sub(r"[^\w.@+-]", "-", external_id)[: limit - len(course.slug) - 12]
    base = f"lms-{course.slug}-{readable}"[:limit]
    username, n = base, 2
    while User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        suffix = f"-{n}"
        username, n = base[: limit - len(suffix)] + suffix, n + 1
    return username


def _user_for(
    *, course: Course, external_id: str, username: str, email: str, name: tuple[str, str]
) -> AbstractBaseUser:
    """The account to enrol: the one called `username` when it exists, else a new one (no
    password: they sign in through the LMS, or an admin sets one)."""
    User = get_user_model()
    if username:
        existing = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if existing is not None and (existing.is_staff or existing.is_superuser):
            raise ApplicationError(
                f"'{username}' is a staff account; staff accounts are not enrolled through the "
                "API. Enrol them in the admin, or give the LMS user another username.",
                code="invalid_enrolment",
            )
        if existing is not None:
            return existing
    user = User(
        **{User.USERNAME_FIELD: username or _new_username(course=course, external_id=external_id)},
        email=email,
        first_name=name[0],
        last_name=name[1],
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def enrolment_upsert(
    *,
    course: Course,
    external_id: str,
    role: str,
    username: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Membership, bool]:
    """Enrol (or update) the LMS user `external_id` in the course with `role`.

    The member already known by that external id keeps their account (its role changes, and
    email/name when given, on accounts the roster created). Otherwise the account named
    `username` is enrolled when it exists, else a new account is created (`username`, or
    `lms-<course>-<external id>`). Returns (membership, created).

    Raises ApplicationError (400, `invalid_external_id` / `invalid_enrolment`) for a bad id,
    role or username, or a staff account; (409, `enrolment_conflict`) when that account is
    already in the course under another external id, or the external id belongs to an account
    other than `username`.
    """
    external_id = _external_id_cleaned(external_id)
    if role not in Membership.Role.values:
        raise ApplicationError(
            f"Role must be one of {', '.join(Membership.Role.values)}.", code="invalid_enrolment"
        )
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(course=course, external_id=external_id)
        .first()
    )
    if membership is not None:
        user = membership.user
        if username and user.get_username() != username:
            raise ApplicationError(
                f"External id '{external_id}' is enrolled as '{user.get_username()}', not "
                f"'{username}'; remove that enrolment first to move the id to another account.",
                code="enrolment_conflict",
                status=409,
            )
        # Contact details are the roster's only on accounts it created (no password of their
        # own): an existing account's email, which resets its password, is never changed here.
        changed = {"email": email, "first_name": first_name, "last_name": last_name}
        updates = [
            f
            for f, v in changed.items()
            if v and getattr(user, f, None) != v and not user.has_usable_password()
        ]
        for field in updates:
            setattr(user, field, changed[field])
        if updates:
            user.save(update_fields=updates)
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        return membership, False
    try:
        user = _user_for(
            course=course,
            external_id=external_id,
            username=username,
            email=email,
            name=(first_name, last_name),
        )
    except ValidationError as exc:
        raise ApplicationError(
            f"That account cannot be created: {'; '.join(exc.messages)}",
            code="invalid_enrolment",
        ) from exc
    existing = Membership.objects.select_for_update().filter(course=course, user=user).first()
    if existing is not None and existing.external_id:
        raise ApplicationError(
            f"'{user.get_username()}' is already enrolled in this course under external id "
            f"'{existing.external_id}'; remove that enrolment first.",
            code="enrolment_conflict",
            status=409,
        )
    if existing is not None:
        existing.external_id, existing.role = external_id, role
        existing.save(update_fields=["external_id", "role"])
        return existing, False
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


def enrolment_remove(*, membership: Membership) -> None:
    """Remove the member from the course. Their account, attempts and submissions are kept
    (enrolling the same external id again restores access to them)."""
    membership.delete()

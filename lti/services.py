"""Writes for LTI launches: keys, nonces, accounts, courses, targets, attempts, line items."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import Key, LtiContext, LtiLineItem, LtiResourceLink, LtiUser

from exams import selectors as exam_selectors
from exams import services as exam_services
from exams.errors import ApplicationError
from exams.models import Attempt, Course, Membership
from lti import selectors
from lti.models import LtiAttemptLaunch, LtiContextCourse, LtiTarget, LtiUsedNonce

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR_ROLES = {
    f"{MEMBERSHIP}#Instructor",
    f"{MEMBERSHIP}#TeachingAssistant",
    f"{MEMBERSHIP}/Instructor#TeachingAssistant",
}
LEARNER_ROLE = f"{MEMBERSHIP}#Learner"
EXTERNAL_ID_MAX = Membership._meta.get_field("external_id").max_length
# A nonce is kept this long past its token's expiry, so a clock skew cannot reopen it.
NONCE_GRACE = timedelta(minutes=10)


def tool_key_ensure() -> Key:
    """The tool's newest active signing key, generating the first one if there is none."""
    key = Key.objects.active().order_by("-datetime_created").first()
    return key if key is not None else Key.objects.generate()


def lti_nonce_consume(*, issuer: str, nonce: str, expires: int | None) -> None:
    """Record a launch's nonce; raise ApplicationError (400, `lti_replayed`) if already used.

    pylti1p3 checks that the nonce is one the tool issued at login; this makes it single-use.
    """
    now = timezone.now()
    until = datetime.fromtimestamp(expires, tz=UTC) if expires else now + timedelta(days=1)
    LtiUsedNonce.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            LtiUsedNonce.objects.create(issuer=issuer, nonce=nonce, expires_at=until + NONCE_GRACE)
    except IntegrityError:
        raise ApplicationError(
            "This launch was already used (its nonce was seen before), so it is refused. "
            "Open the activity again from your LMS to get a fresh launch.",
            code="lti_replayed",
        ) from None


def lti_role_map(*, roles: list[str]) -> str | None:
    """Membership role for the launch's roles claim: instructor, student, or None if neither.

    Instructor and TeachingAssistant context roles (short names or full URIs) give
    `instructor`; Learner (and its sub-roles) gives `student`; instructor wins when both.
    """
    normalized = {normalize_role(role) for role in roles}
    if normalized & INSTRUCTOR_ROLES:
        return Membership.Role.INSTRUCTOR
    if any(r == LEARNER_ROLE or r.startswith(f"{MEMBERSHIP}/Learner#") for r in normalized):
        return Membership.Role.STUDENT
    return None


def lti_account_get_or_create(*, lti_user: LtiUser) -> AbstractBaseUser:
    """The Tensorgrade user of an LTI user, created (without a password) on first launch.

    Only the account linked to the LTI user is ever used: a new one gets the usual
    `lti-<registration>-<hash>` username, or that name with a random suffix when someone else
    already holds it (so no one can block a first launch by taking the name). Its name and
    email follow the platform's on every launch. Concurrent first launches of one LTI user
    make one account (the LTI user's row is locked).
    """
    with transaction.atomic():
        locked = LtiUser.objects.select_for_update().get(pk=lti_user.pk)
        user = locked.auth_user if locked.auth_user_id else _lti_account_create(lti_user=locked)
        user.first_name = str(locked.given_name or locked.name or "")[:150]
        user.last_name = str(locked.family_name or "")[:150]
        user.email = str(locked.email or "")[:254]
        user.save(update_fields=["first_name", "last_name", "email"])
        if locked.auth_user_id != user.pk:
            locked.auth_user = user
            locked.save(update_fields=["auth_user", "datetime_modified"])
    lti_user.auth_user = user
    return user


ACCOUNT_NAME_TRIES = 5


def _lti_account_create(*, lti_user: LtiUser) -> AbstractBaseUser:
    """A new password-less account for the LTI user, under a username nobody holds."""
    user_model = get_user_model()
    digest = hashlib.sha256(f"{lti_user.registration_id}:{lti_user.sub}".encode()).hexdigest()
    base = f"lti-{lti_user.registration_id}-{digest[:20]}"
    for attempt in range(ACCOUNT_NAME_TRIES):
        username = base if attempt == 0 else f"{base}-{secrets.token_hex(6)}"
        if user_model.objects.filter(username__iexact=username).exists():
            continue
        user = user_model(username=username)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            continue
        return user
    raise ApplicationError(
        "Tensorgrade could not make an account for you right now; open the activity again "
        "from the LMS in a minute.",
        code="lti_account_unavailable",
        status=503,
    )


def _course_slug(context: LtiContext) -> str:
    base = slugify(context.label or context.title)[:40].strip("-") or "lms-course"
    digest = hashlib.sha256(f"{context.deployment_id}:{context.id_on_platform}".encode())
    slug = f"{base}-{digest.hexdigest()[:8]}"
    n = 2
    while Course.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{digest.hexdigest()[:8]}-{n}", n + 1
    return slug


@transaction.atomic
def lti_course_get_or_create(*, context: LtiContext) -> Course:
    """The course an LTI context launches into, created on the context's first launch.

    A new course is titled after the context and starts empty (no questions, no papers): an
    LMS course gets Tensorgrade content only when an administrator links its context to an
    existing course or adds questions to the new one. It is linked to the context
    (LtiContextCourse) so later launches reuse it; concurrent first launches of a context wait
    for each other (its row is locked) and make one course.
    """
    LtiContext.objects.select_for_update().filter(pk=context.pk).first()  # one first launch
    link = LtiContextCourse.objects.select_related("course").filter(context=context).first()
    if link is not None:
        return link.course
    course = Course.objects.create(
        slug=_course_slug(context),
        title=(context.title or context.label or "LMS course")[:200],
    )
    LtiContextCourse.objects.create(context=context, course=course)
    return course


def lti_membership_set(
    *, user: AbstractBaseUser, course: Course, role: str, lti_user_id: str = ""
) -> Membership:
    """Create the user's membership of the course, or update its role to the launch's; give
    it the LTI user id as external id where `lti_membership_external_id_fill` allows."""
    membership, _ = Membership.objects.update_or_create(
        course=course, user=user, defaults={"role": role}
    )
    return lti_membership_external_id_fill(membership=membership, lti_user_id=lti_user_id)


def lti_membership_external_id_fill(*, membership: Membership, lti_user_id: str) -> Membership:
    """Set the membership's external id to the LTI user id (the launch's or roster's `sub`),
    so the REST API can address the member (`?student=<sub>`), when the membership has none and
    no other member of the course holds that id. An external id set before (e.g. by the REST
    roster) is never overwritten and never taken from another member; returns the membership.
    """
    if membership.external_id or not lti_user_id or len(lti_user_id) > EXTERNAL_ID_MAX:
        return membership
    taken = Membership.objects.filter(course_id=membership.course_id, external_id=lti_user_id)
    if taken.exclude(pk=membership.pk).exists():
        return membership
    try:
        with transaction.atomic():
            filled = Membership.objects.filter(pk=membership.pk, external_id="").update(
                external_id=lti_user_id
            )
    except IntegrityError:  # another member took the id meanwhile
        return membership
    if filled:
        membership.external_id = lti_user_id
    return membership


def lti_target_set(
    *,
    resource_link: LtiResourceLink,
    course: Course,
    paper_slug: str = "",
    question_slug: str = "",
    mode: str = Attempt.Mode.PRACTICE,
) -> LtiTarget:
    """Point a resource link at a paper of the course (practice or exam) or one of its questions.

    Raises ApplicationError: 400 `lti_bad_target` when neither or both are named, the mode
    is unknown, or a question is asked for in exam mode; 404 `lti_target_not_found` when the
    course has no such paper or question.
    """
    if bool(paper_slug) == bool(question_slug):
        raise ApplicationError(
            "Name either a paper or a question for this link (custom parameter `paper=<slug>` "
            "or `question=<slug>`), not both and not neither.",
            code="lti_bad_target",
        )
    if mode not in Attempt.Mode.values:
        raise ApplicationError(
            f"The link's mode '{mode}' is not one of {', '.join(Attempt.Mode.values)}; fix the "
            "custom parameter `mode` in the LMS.",
            code="lti_bad_target",
        )
    paper = question = None
    if paper_slug:
        paper = course.papers.filter(slug=paper_slug).first()
        if paper is None:
            raise ApplicationError(
                f"This link opens paper '{paper_slug}', which the course '{course.title}' does "
                "not have; an instructor should choose the paper again for this link.",
                code="lti_target_not_found",
                status=404,
            )
    else:
        if mode != Attempt.Mode.PRACTICE:
            raise ApplicationError(
                "A single question is practised, never sat as an exam; remove `mode=exam` "
                "from the link or link a paper instead.",
                code="lti_bad_target",
            )
        question = course.questions.filter(slug=question_slug).first()
        if question is None:
            raise ApplicationError(
                f"This link opens question '{question_slug}', which the course '{course.title}' "
                "does not have; an instructor should choose the question again for this link.",
                code="lti_target_not_found",
                status=404,
            )
    target, _ = LtiTarget.objects.update_or_create(
        resource_link=resource_link,
        defaults={"course": course, "paper": paper, "question": question, "mode": mode},
    )
    return target


def lti_target_resolve(
    *, resource_link: LtiResourceLink, course: Course, custom: dict[str, str]
) -> LtiTarget | None:
    """What the link opens: its stored target, else one set from its custom parameters
    (`paper`, `question`, `mode`), else None. Errors as lti_target_set."""
    target = LtiTarget.objects.filter(resource_link=resource_link).first()
    if target is not None:
        return target
    paper_slug = str(custom.get("paper") or "").strip()
    question_slug = str(custom.get("question") or "").strip()
    if not paper_slug and not question_slug:
        return None
    return lti_target_set(
        resource_link=resource_link,
        course=course,
        paper_slug=paper_slug,
        question_slug=question_slug,
        mode=str(custom.get("mode") or Attempt.Mode.PRACTICE).strip().lower(),
    )


def lti_attempt_open(*, lti_user: LtiUser, student: AbstractBaseUser, target: LtiTarget) -> Attempt:
    """Start or resume the student's attempt at the link's target, recording the launch.

    An exam is the student's one sitting of the paper; in practice the latest attempt launched
    from this link is resumed while it is open, else a new one starts. Raises what
    exams.services.attempt_start_paper raises (e.g. 409 `exam_in_progress`).
    """
    previous = (
        LtiAttemptLaunch.objects.filter(resource_link=target.resource_link, lti_user=lti_user)
        .select_related("attempt__paper")
        .order_by("-last_launched_at")
        .first()
    )
    resumable = (
        previous is not None
        and previous.attempt.student_id == student.pk
        and previous.attempt.paper_id == target.paper_id
        and previous.attempt.question_id == target.question_id
        and previous.attempt.mode == target.mode
        and not previous.attempt.is_closed(timezone.now())
    )
    if resumable:
        attempt = previous.attempt
    elif target.paper is not None:
        attempt = exam_services.attempt_start_paper(
            student=student, paper=target.paper, mode=target.mode
        )
    else:
        attempt = exam_selectors.question_attempt_list(
            student=student, question=target.question
        ).first() or exam_services.attempt_start_question(
            student=student, course=target.course, question=target.question
        )
    launch, created = LtiAttemptLaunch.objects.get_or_create(
        resource_link=target.resource_link, lti_user=lti_user, attempt=attempt
    )
    if not created:
        launch.save(update_fields=["last_launched_at"])
    return attempt


def lti_line_item_sync(
    *, context: LtiContext, target: LtiTarget, ags_claim: dict | None
) -> LtiLineItem | None:
    """Store or update the link's line item from the launch's AGS claim (its `lineitem` URL).

    Its maximum score is the target's (the paper's total marks, or the question's), its label
    the link's title (else the target's). None when the platform sent no line item.
    """
    url = (ags_claim or {}).get("lineitem")
    if not url:
        return None
    resource_link = target.resource_link
    line_item, _ = LtiLineItem.objects.update_or_create(
        url=url,
        defaults={
            "context": context,
            "resource_link": resource_link,
            "maximum_score": selectors.target_max_score(target=target),
            "label": (resource_link.title or selectors.target_title(target=target))[:255],
        },
    )
    return line_item

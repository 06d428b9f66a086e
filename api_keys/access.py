"""Which course a REST request may act on: with a course API key, or as a signed-in member.

A key acts for its own course only; another course is "not found" (404 `course_not_found`),
exactly as a course that does not exist, so a key never learns which other courses exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.request import Request

from api_keys.authentication import request_api_key
from exams import selectors, services
from exams.errors import ApplicationError, NotFoundError
from exams.models import Attempt, Course, Membership, Submission


@dataclass(frozen=True)
class CourseAccess:
    """A course and how the request reaches it: `api_key`, `instructor` or `student`."""

    course: Course
    role: str

    @property
    def is_staff(self) -> bool:
        """True for a course key or an instructor: they see answers and act for students."""
        return self.role in (API_KEY_ROLE, Membership.Role.INSTRUCTOR)


API_KEY_ROLE = "api_key"


def _not_found(slug: str) -> ApplicationError:
    return ApplicationError(
        f"No course '{slug}' among those you can reach; check the slug (GET /api/v1/courses/ "
        "lists yours).",
        code="course_not_found",
        status=404,
    )


def course_access_for_request(request: Request, slug: str) -> CourseAccess:
    """The course `slug` with the request's role in it: a key of that course, or a member.

    Raises ApplicationError (404, `course_not_found`) for a course of another key, one the user
    is not a member of, or one that does not exist.
    """
    api_key = request_api_key(request)
    if api_key is not None:
        if api_key.course.slug != slug:
            raise _not_found(slug)
        return CourseAccess(course=api_key.course, role=API_KEY_ROLE)
    user = request.user
    if not user.is_authenticated:
        raise _not_found(slug)
    membership = (
        Membership.objects.select_related("course").filter(user=user, course__slug=slug).first()
    )
    if membership is None:
        raise _not_found(slug)
    return CourseAccess(course=membership.course, role=membership.role)


def course_for_request(request: Request, slug: str) -> Course:
    """The course `slug` when the request is a key of it or an instructor of it.

    Raises ApplicationError (403, `instructors_only`) for a student of the course (who may read
    the course itself, so its existence is no secret to them); (404, `course_not_found`) for
    anyone else, never revealing whether another course exists.
    """
    access = course_access_for_request(request, slug)
    if not access.is_staff:
        raise ApplicationError(
            f"Only the course's instructors or its API keys can use this; you are a student "
            f"in '{slug}'. Ask an instructor of the course to do it.",
            code="instructors_only",
            status=403,
        )
    return access.course


def courses_for_request(request: Request) -> list[CourseAccess]:
    """Every course the request reaches: the key's one course, or the user's memberships."""
    api_key = request_api_key(request)
    if api_key is not None:
        return [CourseAccess(course=api_key.course, role=API_KEY_ROLE)]
    if not request.user.is_authenticated:
        return []
    user = request.user
    return [
        CourseAccess(course=course, role=selectors.course_role(user=user, course=course))
        for course in selectors.course_list_for_user(user=user)
    ]


def attempt_for_request(request: Request, attempt_id: int) -> Attempt:
    """An attempt the request may act on: with a key, any attempt in the key's course; else
    the user's own or (instructors) one in their course.

    Raises NotFoundError (404) otherwise, the same as for an attempt that does not exist.
    """
    api_key = request_api_key(request)
    if api_key is None:
        return selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    attempt = (
        Attempt.objects.select_related("course", "question", "paper", "student")
        .filter(pk=attempt_id, course=api_key.course)
        .first()
    )
    if attempt is None:
        raise NotFoundError(f"No attempt {attempt_id} in course '{api_key.course.slug}'.")
    return attempt


def submission_for_request(request: Request, submission_id: int) -> Submission:
    """A submission the request may read: with a key, any in the key's course; else the user's
    own or (instructors) one in their course. Raises NotFoundError (404) otherwise, and
    ApplicationError (409 `exam_in_progress`) to staff (an instructor or a key) for an answer on
    original exam numbers while another course's sitting of them is open."""
    api_key = request_api_key(request)
    if api_key is None:
        submission = selectors.submission_get_for_user(
            user=request.user, submission_id=submission_id
        )
        if submission.variant.is_paper and submission.student_id != request.user.pk:
            services.original_numbers_check_visible(
                question=submission.variant.version.question, user=request.user
            )
        return submission
    submission = (
        Submission.objects.select_related("attempt__course", "variant__version__question")
        .filter(pk=submission_id, attempt__course=api_key.course)
        .first()
    )
    if submission is None:
        raise NotFoundError(f"No submission {submission_id} in course '{api_key.course.slug}'.")
    if submission.variant.is_paper:
        services.original_numbers_check_visible(
            question=submission.variant.version.question, course_ids={api_key.course_id}
        )
    return submission


def acting_student(request: Request, attempt: Attempt) -> AbstractBaseUser:
    """Whom a write on the attempt acts as: its student for a course key, else the user
    (services refuse a user acting on someone else's attempt)."""
    return attempt.student if request_api_key(request) is not None else request.user

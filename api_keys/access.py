"""Which course a REST request may act on: with a course API key, or as a signed-in member.

A key acts for its own course only; another course is "not found" (404 `course_not_found`),
exactly as a course that does not exist, so a key never learns which other courses exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.request import Request

from api_keys.authentication import request_api_key
from exams import selectors
from exams.errors import ApplicationError
from exams.models import Course, Membership


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
        f"No course '{slug}' that you can manage; check the slug (GET /api/v1/courses/ lists "
        "yours).",
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

    Raises ApplicationError (404, `course_not_found`) otherwise (students included), never
    revealing whether another course exists.
    """
    access = course_access_for_request(request, slug)
    if not access.is_staff:
        raise _not_found(slug)
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

"""Pieces shared by the LMS resources of the API: the errors every read can give, the student
reference, cursor pagination, and reading a course's paper, question or student from a query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from api_keys.access import CourseAccess
from exams import selectors
from exams.errors import ApplicationError, NotFoundError
from exams.models import Course, Membership, RosterLink

READ_ERRORS = (401, 403, 404)


class StudentOutput(serializers.Serializer):
    external_id = serializers.CharField(
        allow_blank=True, help_text="The LMS's id of the student in this course, if enrolled so."
    )
    username = serializers.CharField()


def student_ref(user: Any, external_ids: dict[int, str]) -> dict[str, str]:
    """The student as the API names them: their course external id and username."""
    return {"external_id": external_ids.get(user.pk, ""), "username": user.get_username()}


MAX_PAGE_SIZE = 200
PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    description=f"1 to {MAX_PAGE_SIZE} (default 50).",
)


def _invalid_cursor() -> ApplicationError:
    return ApplicationError(
        "The cursor is not one this list gave. Follow the `next` or `previous` link exactly as "
        "given (or leave `cursor` out to start from the first page).",
        code="invalid_cursor",
    )


class CheckedCursorPagination(CursorPagination):
    """Cursor pagination (stable under inserts), `?cursor=` from `next`/`previous`, that
    answers a bad query with a 400 saying what to send: `page_size` outside 1 to
    `max_page_size` (`invalid_query`), or a cursor this list did not give (`invalid_cursor`),
    including a well-formed cursor whose position is not a value of the ordering field."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        """The `page_size` asked for, else the default.

        Raises ApplicationError (400, `invalid_query`) for a value that is not a whole number
        from 1 to `max_page_size`."""
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= self.max_page_size:
            raise ApplicationError(
                f"page_size must be a whole number from 1 to {self.max_page_size} (default "
                f"{self.page_size}).",
                code="invalid_query",
            )
        return int(text)

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        """One page of the queryset.

        Raises ApplicationError (400, `invalid_cursor`) for a cursor this list did not give."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError, ValueError, OverflowError, DataError):
            raise _invalid_cursor() from None


class NewestFirstCursorPagination(CheckedCursorPagination):
    """Newest started first."""

    ordering = ("-started_at", "-pk")


def query_text(params: Any, name: str, max_chars: int = 255) -> str:
    """A query parameter's text ('' when absent); raises ApplicationError (400) when too long."""
    value = params.get(name, "")
    if len(value) > max_chars:
        raise ApplicationError(
            f"The '{name}' parameter is at most {max_chars} characters.", code="invalid_query"
        )
    return value


def course_external_ids(course: Course) -> dict[int, str]:
    """user id → external id in the course: its members', and the roster's former members'
    (their attempts stay named by the id they had)."""
    ids = dict(RosterLink.objects.filter(course=course).values_list("user_id", "external_id"))
    members = Membership.objects.filter(course=course).values_list("user_id", "external_id")
    ids.update((user_id, external_id) for user_id, external_id in members if external_id)
    return ids


def listed_student(access: CourseAccess, request: Request) -> AbstractBaseUser | None:
    """Whose rows a course list shows: the student named by `?student=<external id>` (None for
    all) for the key and instructors; always oneself for a student. Raises NotFoundError (404)
    when a student names someone else."""
    external_id = query_text(request.query_params, "student")
    student = named_student(access, request, external_id) if external_id else None
    return student if access.is_staff else request.user


def named_student(access: CourseAccess, request: Request, external_id: str) -> AbstractBaseUser:
    """The course member a request names by external id: any for the key and instructors; a
    student may only name themselves. Raises NotFoundError (404) otherwise."""
    if access.is_staff:
        return selectors.course_enrolment_get(course=access.course, external_id=external_id).user
    own = Membership.objects.filter(course=access.course, user=request.user).first()
    if own is None or own.external_id != external_id:
        raise NotFoundError("You can only see and start your own attempts.")
    return request.user

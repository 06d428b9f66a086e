"""Enrolments by the LMS's external user id: list, read, put (create or update), delete.

For the course's API key and its instructors: an LMS keeps the course's roster in step with
its own (students and instructors), creating accounts for people the tool does not know yet.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams import selectors, services
from exams.api.common import READ_ERRORS, query_text
from exams.api.schema import error_responses
from exams.models import Membership


class EnrolmentInput(serializers.Serializer):
    """A roster entry. The account's username is chosen by the tool (`lms-<course>-<external
    id>`); an existing account is never enrolled by name, so `username` is refused."""

    role = serializers.ChoiceField(choices=Membership.Role.values)
    email = serializers.EmailField(required=False)
    first_name = serializers.CharField(required=False, max_length=150)
    last_name = serializers.CharField(required=False, max_length=150)

    def validate(self, attrs: dict) -> dict:
        """Refuse `username`: accounts are created under names the tool chooses."""
        if "username" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "username": "Not accepted: the tool chooses the username of an account it "
                    "creates for the roster, and never enrols an existing account by name. "
                    "Send the role (and email/name) only; an administrator adds an existing "
                    "account to the course in the admin."
                }
            )
        return attrs


class EnrolmentOutput(serializers.Serializer):
    external_id = serializers.CharField()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.values)
    email = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)


def _enrolment_data(membership: Membership) -> dict:
    user = membership.user
    return {
        "external_id": membership.external_id,
        "username": user.get_username(),
        "role": membership.role,
        "email": getattr(user, "email", ""),
        "first_name": getattr(user, "first_name", ""),
        "last_name": getattr(user, "last_name", ""),
    }


class EnrolmentListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_enrolment_list",
        parameters=[
            OpenApiParameter(
                "role", str, enum=Membership.Role.values, description="Only this role."
            )
        ],
        responses={200: EnrolmentOutput(many=True), **error_responses(400, *READ_ERRORS)},
    )
    def get(self, request: Request, slug: str) -> Response:
        """The course's members (with and without an external id)."""
        course = course_for_request(request, slug)
        role = query_text(request.query_params, "role")
        if "role" in request.query_params and role not in Membership.Role.values:
            raise serializers.ValidationError(
                {"role": f"Must be one of {', '.join(Membership.Role.values)}."}
            )
        members = selectors.course_enrolment_list(course=course, role=role or None)
        return Response(EnrolmentOutput([_enrolment_data(m) for m in members], many=True).data)


class EnrolmentDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        operation_id="course_enrolment_detail",
        responses={200: EnrolmentOutput, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, slug: str, external_id: str) -> Response:
        """The member with this external id."""
        course = course_for_request(request, slug)
        membership = selectors.course_enrolment_get(course=course, external_id=external_id)
        return Response(EnrolmentOutput(_enrolment_data(membership)).data)

    @extend_schema(
        operation_id="course_enrolment_put",
        request=EnrolmentInput,
        responses={
            200: OpenApiResponse(EnrolmentOutput, description="Updated."),
            201: OpenApiResponse(EnrolmentOutput, description="Enrolled now."),
            **error_responses(400, *READ_ERRORS, 409),
        },
    )
    def put(self, request: Request, slug: str, external_id: str) -> Response:
        """Enrol the LMS user, or update their role (and email/name); idempotent."""
        course = course_for_request(request, slug)
        data = EnrolmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership, created = services.enrolment_upsert(
            course=course, external_id=external_id, **data.validated_data
        )
        return Response(
            EnrolmentOutput(_enrolment_data(membership)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="course_enrolment_delete",
        responses={
            204: OpenApiResponse(description="Removed; the account and its work are kept."),
            **error_responses(*READ_ERRORS),
        },
    )
    def delete(self, request: Request, slug: str, external_id: str) -> Response:
        """Remove the member from the course (account, attempts and submissions are kept)."""
        course = course_for_request(request, slug)
        membership = selectors.course_enrolment_get(course=course, external_id=external_id)
        services.enrolment_remove(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

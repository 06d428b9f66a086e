"""REST views: a course's webhook endpoints and their deliveries.

Each takes a key of the course (`Authorization: Api-Key <key>`) or a signed-in instructor of it
(`api_keys.access.course_for_request`); a student of it gets 403 `instructors_only`, anything
else 404 `course_not_found`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_keys.access import course_for_request
from api_keys.permissions import IsUserOrCourseKey
from exams.api.common import NewestFirstCursorPagination
from exams.api.serializers import ErrorOutput
from webhooks import selectors, services
from webhooks.api.serializers import (
    WebhookDeliveryListInput,
    WebhookDeliveryOutput,
    WebhookEndpointCreatedOutput,
    WebhookEndpointCreateInput,
    WebhookEndpointOutput,
    WebhookEndpointUpdateInput,
)
from webhooks.models import WebhookDelivery, WebhookEndpoint

TAGS = ["webhooks"]


def _error(description: str) -> OpenApiResponse:
    """An error response in the API's one error shape, with the codes this endpoint gives."""
    return OpenApiResponse(response=ErrorOutput, description=description)


NOT_AUTHENTICATED = _error(
    "`not_authenticated`: no API key or session; `authentication_failed`: the key is unknown, "
    "revoked or expired."
)
FORBIDDEN = _error("`permission_denied`: a session request without its CSRF token.")
COURSE_NOT_FOUND = _error(
    "`course_not_found`: no such course for this key or user (another course's key gets this "
    "too); `webhook_not_found`: no such endpoint in the course."
)
DELIVERY_NOT_FOUND = _error(
    "`course_not_found`, `webhook_not_found`, or `delivery_not_found`: no such delivery for "
    "this endpoint."
)


def _endpoint_output(endpoint: WebhookEndpoint) -> dict:
    return WebhookEndpointOutput(endpoint).data


def _delivery_output(delivery: WebhookDelivery) -> dict:
    return WebhookDeliveryOutput(delivery).data


class WebhookEndpointListView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_list",
        responses={
            200: WebhookEndpointOutput(many=True),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: COURSE_NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        """The course's webhook endpoints (never their secrets)."""
        course = course_for_request(request, slug)
        return Response(
            [_endpoint_output(e) for e in selectors.course_endpoint_list(course=course)]
        )

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_create",
        request=WebhookEndpointCreateInput,
        responses={
            201: WebhookEndpointCreatedOutput,
            400: _error(
                "`invalid`: a field is missing or malformed; `invalid_webhook_url`: not an "
                "http(s) URL; `webhook_url_refused`: localhost or a private address."
            ),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: COURSE_NOT_FOUND,
            409: _error(
                "`webhook_exists`: the URL is registered for the course already; "
                "`too_many_webhooks`: the course has the most endpoints allowed."
            ),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        """Register a URL for the course's events; the response holds its secret, only once."""
        course = course_for_request(request, slug)
        data = WebhookEndpointCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(course=course, **data.validated_data)
        return Response(WebhookEndpointCreatedOutput(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_retrieve",
        responses={
            200: WebhookEndpointOutput,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: COURSE_NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str, endpoint_id: int) -> Response:
        """One webhook endpoint of the course."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        return Response(_endpoint_output(endpoint))

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_partial_update",
        request=WebhookEndpointUpdateInput,
        responses={
            200: WebhookEndpointOutput,
            400: _error(
                "`invalid`: a field is malformed; `field_not_writable`: a field other than "
                "`is_active` and `description` was sent (e.g. `url`: register a new endpoint)."
            ),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: COURSE_NOT_FOUND,
        },
    )
    def patch(self, request: Request, slug: str, endpoint_id: int) -> Response:
        """Turn an endpoint off or on (`is_active`) or change its description."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        data = WebhookEndpointUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(_endpoint_output(endpoint))

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_destroy",
        responses={
            204: OpenApiResponse(description="Deleted, with its deliveries."),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: COURSE_NOT_FOUND,
        },
    )
    def delete(self, request: Request, slug: str, endpoint_id: int) -> Response:
        """Delete an endpoint and its deliveries; nothing more is sent to it."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        services.webhook_endpoint_delete(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryCursorPagination(NewestFirstCursorPagination):
    ordering = ("-created_at", "-pk")


class WebhookDeliveryListView(GenericAPIView):
    permission_classes = [IsUserOrCourseKey]
    pagination_class = DeliveryCursorPagination
    serializer_class = WebhookDeliveryOutput

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_deliveries_list",
        parameters=[WebhookDeliveryListInput],
        responses={
            200: WebhookDeliveryOutput(many=True),
            400: _error(
                "`invalid`: `status` is not pending, succeeded or failed; `invalid_query`: "
                "`page_size` is not 1 to 200; `invalid_cursor`: the cursor is not one this "
                "list gave."
            ),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: _error("`course_not_found` or `webhook_not_found`."),
        },
    )
    def get(self, request: Request, slug: str, endpoint_id: int) -> Response:
        """The endpoint's deliveries, newest first, 50 a page (`?page_size=` up to 200; follow
        `next`)."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        query = WebhookDeliveryListInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = selectors.endpoint_delivery_list(
            endpoint=endpoint, status=query.validated_data.get("status")
        )
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response([_delivery_output(d) for d in page])


class WebhookDeliveryDetailView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_deliveries_retrieve",
        responses={
            200: WebhookDeliveryOutput,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: DELIVERY_NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str, endpoint_id: int, delivery_id: int) -> Response:
        """One delivery: its status, attempts, the last answer and the payload."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        delivery = selectors.endpoint_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
        return Response(_delivery_output(delivery))


class WebhookDeliveryResendView(APIView):
    permission_classes = [IsUserOrCourseKey]

    @extend_schema(
        tags=TAGS,
        operation_id="webhooks_deliveries_resend",
        request=None,
        responses={
            202: WebhookDeliveryOutput,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: DELIVERY_NOT_FOUND,
            409: _error(
                "`delivery_in_flight`: an attempt is being sent right now; "
                "`webhook_inactive`: the endpoint is turned off."
            ),
        },
    )
    def post(self, request: Request, slug: str, endpoint_id: int, delivery_id: int) -> Response:
        """Send a delivery again now: a new attempt, the same message id and payload."""
        course = course_for_request(request, slug)
        endpoint = selectors.course_endpoint_get(course=course, endpoint_id=endpoint_id)
        delivery = selectors.endpoint_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
        delivery = services.delivery_replay(delivery=delivery)
        return Response(_delivery_output(delivery), status=status.HTTP_202_ACCEPTED)

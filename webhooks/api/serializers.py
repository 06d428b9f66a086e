"""Input and output serializers of the webhook endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from exams.errors import ApplicationError
from webhooks.models import WebhookDelivery
from webhooks.services import MAX_URL_LENGTH


class WebhookEndpointCreateInput(serializers.Serializer):
    url = serializers.URLField(
        max_length=MAX_URL_LENGTH,
        help_text="Where to POST events: a full http(s) URL your server answers on.",
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="A note for you."
    )


class WebhookEndpointUpdateInput(serializers.Serializer):
    """Only `is_active` and `description` change; any other field sent is an error, not
    silently ignored (the url in particular: a new URL is a new endpoint with its own secret)."""

    is_active = serializers.BooleanField(
        required=False, help_text="false: no new deliveries are made for this endpoint."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """The changes; raises ApplicationError 400 `field_not_writable` naming any field sent
        that cannot be changed here."""
        if isinstance(data, Mapping):
            fixed = sorted(set(data) - set(self.fields))
            if fixed:
                advice = (
                    " An endpoint's url cannot be changed: register the new URL as a new "
                    "endpoint (POST to the course's webhooks/, which gives it its own secret) "
                    "and delete this one."
                    if "url" in fixed
                    else ""
                )
                raise ApplicationError(
                    f"These fields cannot be changed: {', '.join(fixed)}; only "
                    f"{' and '.join(self.fields)} can.{advice}",
                    code="field_not_writable",
                    details={"fields": fixed},
                )
        return super().to_internal_value(data)


class WebhookEndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(
        help_text="`whsec_<base64>`: verify signatures with it. Shown only in this response."
    )


class WebhookDeliveryListInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=WebhookDelivery.Status.choices,
        required=False,
        help_text="Only deliveries with this status.",
    )


class WebhookDeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.CharField(help_text="The `webhook-id` header; the same on retries.")
    event_type = serializers.CharField(help_text="e.g. `submission.marked`.")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
    attempts = serializers.IntegerField(help_text="Attempts made so far.")
    max_attempts = serializers.IntegerField(help_text="Attempts allowed before `failed`.")
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next attempt is due (pending deliveries only)."
    )
    last_response_status = serializers.IntegerField(
        allow_null=True, help_text="HTTP status of the last answer, null if none came."
    )
    last_response_excerpt = serializers.CharField(
        allow_blank=True, help_text="The first 1024 bytes of the last answer's body."
    )
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField(help_text="The JSON body POSTed (docs/lms.md, Webhooks).")

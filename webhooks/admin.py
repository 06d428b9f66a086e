"""Admin: a course's webhook endpoints, and deliveries with their attempts, replay and resend."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from exams.errors import ApplicationError
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint


def _https_by_default(field: models.Field, **kwargs: object) -> forms.Field | None:
    """Form fields of the model's fields; a URL typed without a scheme gets https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["course", "url", "description", "is_active"]
        formfield_callback = _https_by_default

    def clean(self) -> dict:
        """A new endpoint's URL passes the same checks as over the API."""
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("course") and cleaned.get("url"):
            try:
                cleaned["url"] = services.webhook_endpoint_check(
                    course=cleaned["course"], url=cleaned["url"]
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """New endpoints get their secret from the service; it is shown once, in a message."""

    form = WebhookEndpointForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["url", "course", "is_active", "description", "created_at"]
    list_filter = ["is_active", "course"]
    search_fields = ["url", "description", "course__slug"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: WebhookEndpoint | None = None
    ) -> list[str]:
        """Course and URL are fixed once registered (a new URL is a new endpoint and secret)."""
        return ["course", "url", "created_at"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm, change: bool
    ) -> None:
        """Create through the service (which makes the secret) and show the secret once."""
        if change:
            services.webhook_endpoint_update(
                endpoint=obj, is_active=obj.is_active, description=obj.description
            )
            return
        created = services.webhook_endpoint_create(
            course=obj.course, url=obj.url, description=obj.description, is_active=obj.is_active
        )
        obj.pk, obj.secret, obj.created_at = created.pk, created.secret, created.created_at
        self.message_user(
            request,
            f"Secret of {created.url} (shown only now; give it to the receiving system): "
            f"{created.secret}",
            messages.WARNING,
        )


class WebhookDeliveryAttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    extra = 0
    fields = [
        "number",
        "started_at",
        "finished_at",
        "response_status",
        "response_excerpt",
        "error",
        "succeeded",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "message_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_response_status",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event_type", "endpoint__course"]
    search_fields = ["message_id", "endpoint__url"]
    readonly_fields = [
        "endpoint",
        "submission",
        "event_type",
        "message_id",
        "payload",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "sending_until",
        "last_response_status",
        "last_response_excerpt",
        "last_error",
        "created_at",
        "updated_at",
        "delivered_at",
    ]
    inlines = [WebhookDeliveryAttemptInline]
    actions = ["replay_deliveries", "resend_failed_deliveries"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _replay(self, request: HttpRequest, deliveries: QuerySet[WebhookDelivery]) -> None:
        sent, refused = 0, []
        for delivery in deliveries:
            try:
                services.delivery_replay(delivery=delivery)
                sent += 1
            except ApplicationError as exc:
                refused.append(f"{delivery.message_id}: {exc.message}")
        if sent:
            self.message_user(
                request,
                f"{sent} deliver{'y' if sent == 1 else 'ies'} queued to be sent again "
                "(same message id, new attempt).",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, f"Not sent again: {reason}", messages.ERROR)

    @admin.action(description="Replay selected deliveries (send again now, same message id)")
    def replay_deliveries(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        self._replay(request, queryset)

    @admin.action(description="Resend the failed ones among the selected deliveries")
    def resend_failed_deliveries(
        self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]
    ) -> None:
        failed = queryset.filter(status=WebhookDelivery.Status.FAILED)
        if not failed.exists():
            self.message_user(
                request, "None of the selected deliveries has failed; nothing sent.", messages.INFO
            )
            return
        self._replay(request, failed)

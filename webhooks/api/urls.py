from django.urls import path

from webhooks.api import views

app_name = "webhooks"

urlpatterns = [
    path(
        "courses/<slug:slug>/webhooks/",
        views.WebhookEndpointListView.as_view(),
        name="endpoint-list",
    ),
    path(
        "courses/<slug:slug>/webhooks/<int:endpoint_id>/",
        views.WebhookEndpointDetailView.as_view(),
        name="endpoint-detail",
    ),
    path(
        "courses/<slug:slug>/webhooks/<int:endpoint_id>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="delivery-list",
    ),
    path(
        "courses/<slug:slug>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/",
        views.WebhookDeliveryDetailView.as_view(),
        name="delivery-detail",
    ),
    path(
        "courses/<slug:slug>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend/",
        views.WebhookDeliveryResendView.as_view(),
        name="delivery-resend",
    ),
]

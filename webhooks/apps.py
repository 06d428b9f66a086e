from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from exams.signals import submission_marked
        from webhooks import checks  # noqa: F401  (registers system checks)
        from webhooks.receivers import submission_marked_deliveries

        submission_marked.connect(
            submission_marked_deliveries, dispatch_uid="webhooks.submission_marked"
        )

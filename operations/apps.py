from django.apps import AppConfig


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = "Operations: health, readiness and metrics"

    def ready(self) -> None:
        from operations import checks  # noqa: F401  (registers system checks)

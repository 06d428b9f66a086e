from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api_keys"
    verbose_name = "Course API keys"

    def ready(self) -> None:
        from api_keys import schema  # noqa: F401  (registers the key's OpenAPI scheme)

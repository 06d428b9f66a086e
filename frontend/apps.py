from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = "Web UI"

    def ready(self) -> None:
        from frontend import checks  # noqa: F401  (registers system checks)

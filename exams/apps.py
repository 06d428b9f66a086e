from django.apps import AppConfig


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = "Exams"

    def ready(self) -> None:
        from exams import checks  # noqa: F401  (registers system checks)

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    """Instructors' results pages: distributions and per-part figures per paper and question."""

    name = "results"
    verbose_name = "Results for instructors"
    default_auto_field = "django.db.models.BigAutoField"

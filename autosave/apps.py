from django.apps import AppConfig


class AutosaveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "autosave"
    verbose_name = "Autosave and timed exams"

    def ready(self) -> None:
        """Connect the receivers: a timed sitting's closing, drafts following submissions."""
        from autosave import receivers  # noqa: F401

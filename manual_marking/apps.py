from django.apps import AppConfig


class ManualMarkingConfig(AppConfig):
    """Marks given by people to free-text parts: the instructors' queue and self-assessment."""

    name = "manual_marking"
    verbose_name = "Manual marking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exams.marking_overlays import marking_overlay_register
        from manual_marking.services import manual_marks_overlay

        marking_overlay_register(manual_marks_overlay)

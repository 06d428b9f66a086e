from django.apps import AppConfig


class ArtefactsConfig(AppConfig):
    """Arrays of the author runs stored with variants, kept once per content (by hash)."""

    name = "artefacts"
    verbose_name = "Author artefacts"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class RegradesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "regrades"
    verbose_name = "Regrades and mark exports"

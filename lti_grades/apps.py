from django.apps import AppConfig


class LtiGradesConfig(AppConfig):
    """LTI Advantage services: grade passback (AGS) after marking, roster sync (NRPS)."""

    name = "lti_grades"
    verbose_name = "LTI grades and rosters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lti_grades import receivers

        receivers.connect()

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from exams.demo import demo_content_load


class Command(BaseCommand):
    help = "Load the demo course, the shipped question bank and demo accounts (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        setup = demo_content_load(credentials_file=Path(settings.VAR_DIR) / "demo_credentials.json")
        changed = [o for o in setup.synced if o.action != "unchanged"]
        self.stdout.write(
            f"Bank: {len(setup.synced)} questions ({len(changed)} new or changed) "
            f"in course '{setup.course.title}'."
        )
        for username, password in setup.passwords.items():
            self.stdout.write(f"  {username:<11} password: {password}")

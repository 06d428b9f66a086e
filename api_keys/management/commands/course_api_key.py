"""`manage.py course_api_key create|list|revoke`: course API keys from a script."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api_keys import services
from api_keys.models import CourseAPIKey
from exams.errors import ApplicationError
from exams.models import Course


class Command(BaseCommand):
    help = (
        "Create a course API key (printed once, never stored), list a course's keys, or revoke "
        "one by its prefix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Subcommands: create --course --name, list [--course], revoke PREFIX."""
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it once.")
        create.add_argument("--course", required=True, help="Slug of the course.")
        create.add_argument("--name", required=True, help="What the key is for, e.g. 'Canvas'.")
        listing = sub.add_parser("list", help="List keys (prefix, name, course, state).")
        listing.add_argument("--course", help="Only this course's keys.")
        revoke = sub.add_parser("revoke", help="Revoke a key for good.")
        revoke.add_argument("prefix", help="The key's prefix (the part before the dot).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the subcommand; raises CommandError with a message for an unknown course/key."""
        action = options["action"]
        if action == "create":
            course = Course.objects.filter(slug=options["course"]).first()
            if course is None:
                raise CommandError(f"No course '{options['course']}'.")
            try:
                api_key, key = services.api_key_create(course=course, name=options["name"])
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stderr.write(
                f"Created key '{api_key.name}' for {course.slug} (prefix {api_key.prefix}). "
                "It is shown this once: store it now."
            )
            self.stdout.write(key)
        elif action == "list":
            keys = CourseAPIKey.objects.select_related("course")
            if options["course"]:
                keys = keys.filter(course__slug=options["course"])
            for api_key in keys:
                state = "revoked" if api_key.revoked else "active"
                used = api_key.last_used_at.isoformat() if api_key.last_used_at else "never"
                self.stdout.write(
                    f"{api_key.prefix}\t{api_key.course.slug}\t{state}\tlast used {used}\t"
                    f"{api_key.name}"
                )
        else:
            api_key = CourseAPIKey.objects.filter(prefix=options["prefix"]).first()
            if api_key is None:
                raise CommandError(f"No key with prefix '{options['prefix']}'.")
            services.api_key_revoke(api_key=api_key)
            self.stdout.write(
                f"Revoked {api_key.prefix} ('{api_key.name}', {api_key.course.slug})."
            )

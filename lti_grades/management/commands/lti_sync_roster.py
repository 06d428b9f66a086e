"""`manage.py lti_sync_roster COURSE`: fetch the LMS roster over NRPS, update memberships."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exams.errors import ApplicationError
from exams.models import Course
from lti_grades import services


class Command(BaseCommand):
    help = (
        "Sync a course's roster from the LMS courses (LTI contexts) that launch into it: add "
        "students and instructors, update roles, remove members the LMS no longer lists "
        "(their attempts and marks are kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="the course's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        course = Course.objects.filter(slug=options["course"]).first()
        if course is None:
            raise CommandError(f"No course '{options['course']}'.")
        try:
            report = services.roster_sync(course=course)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Roster of {course.slug} synced: {report.summary()}.")
        for user_id in report.skipped:
            self.stdout.write(f"  skipped {user_id}: no Learner or Instructor role")

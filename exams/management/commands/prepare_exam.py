"""`manage.py prepare_exam <course> <paper>`: build a paper's exam variants ahead of time."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exams import selectors, services
from exams.errors import ApplicationError
from exams.models import Course, Variant
from question_engine.errors import SandboxFailure


class Command(BaseCommand):
    help = (
        "Prepare a paper's exam variants for every enrolled student (one per student and "
        "question), so that each exam sitting opens on built variants. They are built by the "
        "workers on the variants queue, or here with --build-here."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="The course's slug.")
        parser.add_argument("paper", help="The paper's slug within the course.")
        parser.add_argument(
            "--build-here",
            action="store_true",
            help="Build the variants in this command (in the sandbox) instead of waiting for "
            "the workers: for a machine without a running worker.",
        )

    def handle(self, *args: object, **options: object) -> None:
        course = Course.objects.filter(slug=options["course"]).first()
        if course is None:
            known = ", ".join(Course.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No course '{options['course']}' (courses: {known}).")
        try:
            paper = selectors.course_paper_get(course=course, slug=options["paper"])
            outcome = services.exam_variants_prepare(paper=paper)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{paper.title}: {outcome.students} enrolled student(s), {outcome.requested} "
            f"variant(s) newly requested, {outcome.existing} already there."
        )
        if options["build_here"]:
            building = Variant.objects.filter(
                pk__in=outcome.variant_ids, state=Variant.State.BUILDING
            ).values_list("pk", flat=True)
            for variant_id in building:
                try:
                    services.variant_build(variant_id=variant_id)
                except SandboxFailure as exc:
                    self.stderr.write(f"Variant {variant_id}: not built ({exc}); retry later.")
        status = selectors.paper_exam_variants_status(paper=paper)
        self.stdout.write(
            f"Ready {status['ready']}, being built {status['building']}, failed "
            f"{status['failed']}, not requested {status['missing']} (of {status['expected']})."
        )
        if status["building"]:
            self.stdout.write(
                "The workers on the variants queue build the rest; with no worker running (or "
                "the broker unreachable: see the log above), run this again with --build-here."
            )
        if status["failed"]:
            raise CommandError(
                "Some variants failed because of the question's own code; fix the question "
                "(manage.py bank sync) and run this again."
            )

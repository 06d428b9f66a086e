import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

import question_engine
from exams.bank_sync import question_sync
from exams.checks import tags_without_bank_check


def _definitions(
    root: Path | None, slug: str | None = None
) -> list[question_engine.QuestionDefinition]:
    """The questions under `root` (the bank by default), or only `slug`, which then loads
    even when another question of the bank does not."""
    bank = root or settings.BANK_ROOT
    if slug is not None and (Path(bank) / slug / "question.toml").is_file():
        try:
            return [question_engine.load_question(Path(bank) / slug)]
        except question_engine.BankError as exc:
            raise CommandError(str(exc)) from None
    try:
        found = question_engine.discover_questions(bank)
    except question_engine.BankError as exc:
        raise CommandError(str(exc)) from None
    if slug is None:
        return found
    chosen = [d for d in found if d.slug == slug]
    if not chosen:
        known = ", ".join(d.slug for d in found)
        raise CommandError(f"No question '{slug}' in {root or settings.BANK_ROOT}. Known: {known}.")
    return chosen


class Command(BaseCommand):
    help = "Work with the question bank: list, validate, sync into the database, preview."

    @property
    def requires_system_checks(self) -> list[str]:  # type: ignore[override]
        """Every check but bank.E001, which this command reports in detail and helps fix."""
        return tags_without_bank_check()

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Every question with its parts.")
        listing.add_argument("--json", action="store_true", help="Machine-readable output.")
        validate = sub.add_parser("validate", help="Run generate/solve for many seeds and check.")
        validate.add_argument("slug", nargs="?")
        validate.add_argument("--seeds", type=int, default=30)
        sync = sub.add_parser("sync", help="Import question folders (idempotent, versioned).")
        sync.add_argument("dir", nargs="?", type=Path)
        preview = sub.add_parser("preview", help="Statement, answers and worked solution.")
        preview.add_argument("slug")
        which = preview.add_mutually_exclusive_group(required=True)
        which.add_argument("--paper", action="store_true")
        which.add_argument("--seed", type=int)

    def handle(self, *args: object, **options: object) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict) -> None:
        rows = [
            {
                "slug": d.slug,
                "title": d.title,
                "topic": d.topic,
                "source": d.source,
                "marks": d.total_marks,
                "parts": [
                    {
                        "label": p.label,
                        "source_part": p.source_part,
                        "marks": p.marks,
                        "kind": p.kind,
                    }
                    for p in d.parts
                ],
            }
            for d in _definitions(None)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            kinds = ", ".join(f"{p['label']}:{p['kind']}" for p in row["parts"])
            self.stdout.write(f"{row['slug']:<45} {row['marks']:>5g}  {row['source']}  [{kinds}]")

    def _validate(self, options: dict) -> None:
        failures = 0
        for definition in _definitions(None, options["slug"]):
            notes: list[str] = []
            problems = question_engine.validate_question(
                definition, seeds=options["seeds"], notes=notes
            )
            failures += bool(problems)
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            if notes:
                status += f", {len(notes)} note(s)"
            self.stdout.write(f"{definition.slug}: {status}")
            for problem in problems:
                self.stdout.write(f"  - {problem}")
            for note in notes:
                self.stdout.write(f"  note: {note}")
        if failures:
            raise CommandError(f"{failures} question(s) failed validation.")

    def _sync(self, options: dict) -> None:
        for definition in _definitions(options["dir"]):
            outcome = question_sync(definition=definition)
            self.stdout.write(f"{outcome.slug}: {outcome.action} (version {outcome.version})")
            if outcome.feeds_problem:
                self.stdout.write(
                    "  note: which answers carry forward could not be recorded, so every "
                    "marking of it runs the carried-forward job; run `bank sync` again once "
                    f"this is fixed: {outcome.feeds_problem}"
                )

    def _preview(self, options: dict) -> None:
        definition = _definitions(None, options["slug"])[0]
        if options["paper"] and definition.paper_params is None:
            raise CommandError(f"Question '{definition.slug}' has no paper variant; use --seed N.")
        try:
            build = question_engine.build_variant(
                definition, seed=options["seed"], paper=options["paper"]
            )
        except question_engine.BankError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"# {definition.title}\n\n{build.statement_md}\n")
        for part in definition.parts:
            self.stdout.write(f"({part.label}) {build.part_prompts.get(part.label, '')}")
            if part.quantity in build.reference.exact:
                self.stdout.write(f"    answer: {build.reference.exact[part.quantity]}")
            elif part.model_answer:
                self.stdout.write(f"    model answer: {part.model_answer}")
        self.stdout.write(f"\n## Worked solution\n\n{build.solution_md}")

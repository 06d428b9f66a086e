import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

import question_engine
from exams.checks import tags_without_bank_check
from exams.variant_marking import variant_answers_mark


def _load_answers(path: Path) -> dict[str, str]:
    try:
        answers = json.loads(path.read_text())
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: not valid JSON ({exc}).") from None
    if not isinstance(answers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
    ):
        raise CommandError(
            f"{path}: must be a JSON object mapping part labels to answer strings, "
            'e.g. {"a": "0.81", "b": "[1, 2]"}.'
        )
    return answers


class Command(BaseCommand):
    help = "Mark answers to one variant of a bank question and print the result as JSON."

    @property
    def requires_system_checks(self) -> list[str]:  # type: ignore[override]
        """Every check but bank.E001: one broken question must not stop grading another."""
        return tags_without_bank_check()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Question folder name under bank/.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--paper", action="store_true", help="The original exam's numbers.")
        which.add_argument("--seed", type=int, help="A randomized variant's seed.")
        parser.add_argument("--answers", type=Path, required=True, help="JSON file of answers.")

    def handle(self, *args: object, **options: object) -> None:
        slug = options["slug"]
        folder = settings.BANK_ROOT / slug
        if not (folder / "question.toml").is_file():
            known = ", ".join(
                d.path.name for d in question_engine.discover_questions(settings.BANK_ROOT)
            )
            raise CommandError(f"No question '{slug}' in the bank. Known questions: {known}.")
        answers = _load_answers(options["answers"])
        try:
            definition = question_engine.load_question(folder)
            if options["paper"] and definition.paper_params is None:
                raise CommandError(f"Question '{slug}' has no paper variant; use --seed N.")
            build = question_engine.build_variant(
                definition, seed=options["seed"], paper=bool(options["paper"])
            )
        except question_engine.BankError as exc:
            raise CommandError(str(exc)) from None
        unknown = sorted(set(answers) - {p.label for p in definition.parts})
        if unknown:
            labels = ", ".join(p.label for p in definition.parts)
            raise CommandError(f"Unknown part label(s) {', '.join(unknown)}; parts are {labels}.")
        try:
            result = variant_answers_mark(
                definition=definition,
                params=build.params,
                reference={
                    "exact": build.reference.exact,
                    "rounded": build.reference.rounded,
                    "alternatives": build.reference.alternatives,
                },
                answers=answers,
            )
        except question_engine.BankError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result.as_dict(), indent=2))

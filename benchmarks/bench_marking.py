"""Numeric marking throughput in the worker's path: answers/s and whole questions/s.

Run: ``.venv/bin/python benchmarks/bench_marking.py [--quick] [--repeats 10] [--json PATH]``.

Sets up a throw-away database (SQLite in a temporary TENSORGRADE_VAR_DIR: migrations and the
demo content, as `make run` loads it), then for every question of the seed papers without a
code part starts `--repeats` practice attempts, each with its own student, and stores one
submission per attempt through `exams.services.submission_create` (answers: each numeric part
the variant's exact value, other parts a plausible answer). Untimed so far. Then it marks every
submission one after another with `exams.services.submission_grade` — what the Celery task
runs: claim, mark (with any sandbox job the marking needs), store — in this one process, and
reports numeric answers marked per second, whole questions per second and the p50/p95 time per
question. For context it also gives the marking library's own rate (`grader.mark_part` on
single answers, no database or sandbox).

The broker is an in-memory one nobody consumes (so the submissions wait for this process);
uses SANDBOX_SOCKET when set, otherwise starts a local sandbox server (run as root so every
isolation layer is on).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, Report, bench_main, percentile  # noqa: E402
from grader import PartSpec, Reference, mark_part  # noqa: E402

NAME = "numeric marking"
NUMERIC_KINDS = {"number", "integer", "vector", "matrix", "tensor"}
DP2 = {"tolerance": {"dp": 2}}
LIBRARY_REFERENCE = Reference(
    exact={"J": 1.6791, "u1": [1.3, -4.7, 3.6], "W": [[0.038, 0.0], [-0.044, 0.0], [0.044, 0.0]]},
    rounded={"J": 1.66, "u1": [1.3, -4.7, 3.6], "W": [[0.03, 0.0], [-0.03, 0.0], [0.03, 0.0]]},
)
LIBRARY_CASES = {
    "number, exact": (PartSpec("J", "number", 2, DP2), "1.68"),
    "number, rounded path": (PartSpec("J", "number", 2, DP2), "1.66"),
    "number, sign error": (PartSpec("J", "number", 2, DP2), "-1.68"),
    "number, unexplained": (PartSpec("J", "number", 2, DP2), "7.5"),
    "number, expression": (PartSpec("J", "number", 2, DP2), "-ln(0.19) + 1/60"),
    "vector, exact": (PartSpec("u1", "vector", 2, DP2), "[1.3, -4.7, 3.6]"),
    "matrix, per-element": (
        PartSpec("W", "matrix", 2, {**DP2, "per_element_credit": True}),
        "[[-0.04, 0], [-0.04, 0], [0.04, 0]]",
    ),
}


def library_rate(part: PartSpec, answer: str, seconds: float) -> float:
    """Answers marked per second by `grader.mark_part` over roughly `seconds`."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(50):
            mark_part(part, LIBRARY_REFERENCE, answer)
        count += 50
    return count / elapsed


def django_setup(var_dir: Path) -> None:
    """Point Django at a fresh SQLite database in `var_dir` and an unconsumed in-memory broker,
    migrate it and load the demo content."""
    os.environ["TENSORGRADE_VAR_DIR"] = str(var_dir)
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for name in ("DATABASE_URL", "CACHE_URL"):
        os.environ.pop(name, None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from exams.demo import demo_content_load

    demo_content_load(credentials_file=var_dir / "demo_credentials.json")


def seed_paper_questions(course: Any) -> list[Any]:
    """The course's seed-paper questions without a code part, each once, in paper order."""
    from exams.models import PaperQuestion

    papers = tomllib.loads((ROOT / "exams" / "papers.toml").read_text())["papers"]
    chosen: dict[str, Any] = {}
    for paper in papers:
        items = PaperQuestion.objects.filter(paper__course=course, paper__slug=paper["slug"])
        for item in items.select_related("question").order_by("order"):
            question = item.question
            kinds = set(question.current_version.parts.values_list("kind", flat=True))
            if "code" not in kinds:
                chosen.setdefault(question.slug, question)
    return list(chosen.values())


def answers_for(variant: Any) -> tuple[dict[str, str], int]:
    """Answers to every part of `variant` (numeric parts its exact values, text parts a
    sentence, other kinds the reference's value), and how many parts are numeric."""
    exact = variant.reference.get("exact", {})
    answers, numeric = {}, 0
    for part in variant.version.parts.all():
        if part.kind == "text":
            answers[part.label] = "An answer for the instructor to mark."
            continue
        numeric += part.kind in NUMERIC_KINDS
        value = exact.get(part.quantity, "1")
        answers[part.label] = value if isinstance(value, str) else json.dumps(value)
    return answers, numeric


def submissions_prepare(repeats: int, question_limit: int | None) -> tuple[list[int], int, int]:
    """Store `repeats` submissions per seed-paper numeric question, one student per repeat.

    Returns (submission ids, numeric answers among them, questions used).
    """
    from django.contrib.auth import get_user_model

    from exams import services
    from exams.demo import DEMO_COURSE_SLUG
    from exams.models import Course, Membership

    course = Course.objects.get(slug=DEMO_COURSE_SLUG)
    Course.objects.filter(pk=course.pk).update(submissions_per_window=10**6)
    questions = seed_paper_questions(course)[:question_limit]
    students = []
    for index in range(repeats):
        student = get_user_model().objects.create(username=f"bench-student-{index}")
        Membership.objects.create(course=course, user=student, role=Membership.Role.STUDENT)
        students.append(student)
    ids, numeric = [], 0
    for question in questions:
        for student in students:
            attempt = services.attempt_start_question(
                student=student, course=course, question=question
            )
            variant = services.attempt_variant(attempt=attempt)
            if variant.state == variant.State.BUILDING:
                # Built here, as the variants worker would, before the timed marking starts.
                variant = services.variant_build(variant_id=variant.pk)
            answers, count = answers_for(variant)
            submission = services.submission_create(
                attempt=attempt, student=student, answers=answers
            )
            ids.append(submission.pk)
            numeric += count
    return ids, numeric, len(questions)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--repeats."""
    parser.add_argument(
        "--repeats", type=int, help="submissions per question (10; quick: 2, on 5 questions)"
    )


def run(arguments: argparse.Namespace) -> Report:
    """Prepare the submissions, mark them all in the worker's path, and rate the library."""
    repeats = arguments.repeats or (2 if arguments.quick else 10)
    library_seconds = 0.1 if arguments.quick else 0.5
    with tempfile.TemporaryDirectory(prefix="tensorgrade-bench-") as var_dir:
        django_setup(Path(var_dir))
        from exams import services
        from exams.models import Submission

        ids, numeric, questions = submissions_prepare(repeats, 5 if arguments.quick else None)
        latencies = []
        started = time.perf_counter()
        for submission_id in ids:
            begun = time.perf_counter()
            services.submission_grade(submission_id=submission_id)
            latencies.append((time.perf_counter() - begun) * 1000)
        elapsed = time.perf_counter() - started
        statuses = dict.fromkeys(Submission.Status.values, 0)
        for status in Submission.objects.filter(pk__in=ids).values_list("status", flat=True):
            statuses[status] += 1
        from django.db import connections

        connections.close_all()
    if statuses[Submission.Status.GRADED] != len(ids):
        raise SystemExit(f"not every submission was marked: {statuses}")
    rates = {
        name: library_rate(part, answer, library_seconds)
        for name, (part, answer) in LIBRARY_CASES.items()
    }
    library = len(rates) / sum(1 / value for value in rates.values())
    figures = [
        Figure("numeric answers marked/s (worker path, 1 process)", numeric / elapsed, "/s"),
        Figure("whole questions marked/s (worker path, 1 process)", len(ids) / elapsed, "/s"),
        Figure("whole question marked p50 (worker path)", statistics.median(latencies), "ms"),
        Figure("whole question marked p95 (worker path)", percentile(latencies, 0.95), "ms"),
        Figure("numeric answers/s, marking library alone", library, "/s"),
    ]
    return Report(
        figures,
        {
            "questions": questions,
            "submissions": len(ids),
            "numeric_answers": numeric,
            "seconds": round(elapsed, 3),
            "statuses": statuses,
            "library_answers_per_s": {name: round(value) for name, value in rates.items()},
        },
    )


if __name__ == "__main__":
    sys.exit(bench_main(NAME, __doc__, add_arguments, run))

"""Demo content for local runs: a course with the shipped bank, an instructor and a student."""

from __future__ import annotations

import json
import re
import secrets
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

import question_engine
from exams.bank_sync import SyncOutcome, question_sync
from exams.models import Course, Membership, Paper, PaperQuestion, Question

DEMO_COURSE_SLUG = "deep-learning-practice"
DEMO_COURSE_TITLE = "Neural Networks and Deep Learning — exam practice"
PAPERS_FILE = Path(__file__).resolve().parent / "papers.toml"
QUESTION_NUMBER = re.compile(r"\bQ(\d+)(\([a-z]+\))?")
DEMO_USERS = {"instructor": Membership.Role.INSTRUCTOR, "student": Membership.Role.STUDENT}


@dataclass(frozen=True)
class DemoSetup:
    course: Course
    passwords: dict[str, str]
    synced: list[SyncOutcome]


def _demo_passwords(path: Path) -> dict[str, str]:
    """Passwords generated on the first run and kept (untracked) so later runs print the same."""
    if path.exists():
        return json.loads(path.read_text())
    passwords = {username: secrets.token_urlsafe(9) for username in DEMO_USERS}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passwords))
    path.chmod(0o600)
    return passwords


@transaction.atomic
def demo_content_load(*, credentials_file: Path) -> DemoSetup:
    synced = [
        question_sync(definition=d) for d in question_engine.discover_questions(settings.BANK_ROOT)
    ]
    course, _ = Course.objects.get_or_create(
        slug=DEMO_COURSE_SLUG, defaults={"title": DEMO_COURSE_TITLE}
    )
    course.questions.set(Question.objects.filter(slug__in=[o.slug for o in synced]))
    _seed_papers_load(course=course)
    passwords = _demo_passwords(credentials_file)
    user_model = get_user_model()
    for username, role in DEMO_USERS.items():
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(passwords[username])
        user.is_staff = user.is_superuser = role == Membership.Role.INSTRUCTOR
        user.save()
        Membership.objects.update_or_create(course=course, user=user, defaults={"role": role})
    return DemoSetup(course=course, passwords=passwords, synced=synced)


def _paper_position(question: Question, seed_file: str) -> tuple[int, int, str]:
    """Order by exam question number; a question on one sub-part comes after the whole one."""
    after = question.source.split(seed_file, 1)[1]
    found = QUESTION_NUMBER.search(after) or QUESTION_NUMBER.search(question.source)
    if found is None:
        return (0, 0, question.slug)
    return (int(found.group(1)), 1 if found.group(2) else 0, question.slug)


def _seed_papers_load(*, course: Course) -> None:
    """One practice paper per seed exam, holding the bank questions that cite that exam."""
    for spec in tomllib.loads(PAPERS_FILE.read_text())["papers"]:
        questions = sorted(
            (q for q in course.questions.all() if spec["seed_file"] in q.source),
            key=lambda q: _paper_position(q, spec["seed_file"]),
        )
        if not questions:
            continue
        paper, _ = Paper.objects.update_or_create(
            course=course,
            slug=spec["slug"],
            defaults={"title": spec["title"], "time_limit_minutes": spec["time_limit_minutes"]},
        )
        if paper.attempts.exists():
            continue
        paper.items.all().delete()
        PaperQuestion.objects.bulk_create(
            PaperQuestion(
                paper=paper,
                question=question,
                order=index,
                marks=Decimal(str(question.current_version.max_score)),
            )
            for index, question in enumerate(questions, start=1)
        )

"""A student's world for the API-wide tests (schemathesis, the answer-leak walker): a course
with a numeric and a code question, a paper of both, attempts at each (practice and an open
exam sitting) holding variants, marked wrong answers on each, external ids on the course's
members and a course API key, so every endpoint has something real to show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from rest_framework.authtoken.models import Token

import question_engine
from api_keys.services import api_key_create
from exams import services
from exams.bank_sync import question_sync
from exams.models import Attempt, Course, Membership, Paper, Question, Submission
from question_engine.code_parts import code_part

CODE_SLUG = "code-layer-norm"
WRONG_NUMBER = "12345.678"


@dataclass
class ApiWorld:
    course: Course
    questions: list[Question]
    paper: Paper
    attempts: list[Attempt]
    submissions: list[Submission]
    student_token: str
    instructor_token: str
    api_key: str


def code_question_add(course: Course) -> Question:
    """The code question synced from the bank and added to the course."""
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / CODE_SLUG))
    question = Question.objects.get(slug=CODE_SLUG)
    course.questions.add(question)
    return question


def wrong_answers(attempt: Attempt, question: Question) -> dict[str, str]:
    """Readable but wrong answers to every part of the variant the attempt holds: a number no
    variant has, and the starter code (valid Python that fails the tests) for code parts."""
    variant = services.attempt_variant(attempt=attempt, question=question)
    definition = question_engine.load_question(settings.BANK_ROOT / question.slug)
    return {
        part.label: (
            code_part(definition, part.label).starter(variant.params)
            if part.kind == "code"
            else WRONG_NUMBER
        )
        for part in variant.version.parts.all()
    }


def right_answers(attempt: Attempt, question: Question) -> dict[str, str]:
    """The variant's rounded reference values as answers (for a question without code)."""
    variant = services.attempt_variant(attempt=attempt, question=question)
    rounded = variant.reference["rounded"]
    return {part.label: str(rounded[part.label]) for part in variant.version.parts.all()}


def build_api_world(
    *,
    course: Course,
    student,  # noqa: ANN001
    instructor,  # noqa: ANN001
    other_student=None,  # noqa: ANN001
) -> ApiWorld:
    """Attempts and marked wrong answers of `student` in `course` (see the module docstring);
    with `other_student`, also their attempt at the numeric question, answered right and with
    its worked solution shown: nothing of which `student` may see."""
    demo = course.questions.get(slug="demo-linear-neuron")
    for membership in Membership.objects.filter(course=course).select_related("user"):
        membership.external_id = f"lms-{membership.user.get_username()}"
        membership.save(update_fields=["external_id"])
    code = code_question_add(course)
    paper = services.paper_create(
        course=course,
        title="Mock exam",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(demo, Decimal("2")), (code, Decimal("3"))],
    )
    attempts = [
        services.attempt_start_question(student=student, course=course, question=demo),
        services.attempt_start_question(student=student, course=course, question=code),
        services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.PRACTICE),
        services.attempt_start_paper(student=student, paper=paper, mode=Attempt.Mode.EXAM),
    ]
    submissions = []
    for attempt in attempts:
        questions = [attempt.question] if attempt.question else [demo, code]
        for question in questions:
            submission = services.submission_create(
                attempt=attempt,
                student=student,
                answers=wrong_answers(attempt, question),
                question=None if attempt.question else question,
            )
            submissions.append(services.submission_grade(submission_id=submission.pk))
    if other_student is not None:
        theirs = services.attempt_start_question(
            student=other_student, course=course, question=demo
        )
        submission = services.submission_create(
            attempt=theirs, student=other_student, answers=right_answers(theirs, demo)
        )
        services.submission_grade(submission_id=submission.pk)
        services.solution_reveal(attempt=theirs, student=other_student)
    return ApiWorld(
        course=course,
        questions=[demo, code],
        paper=paper,
        attempts=attempts,
        submissions=submissions,
        student_token=Token.objects.create(user=student).key,
        instructor_token=Token.objects.create(user=instructor).key,
        api_key=api_key_create(course=course, name="LMS")[1],
    )

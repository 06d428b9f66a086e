"""Fixtures of manual marking: a question with free-text parts (some self-assessed) and its
marked answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

import question_engine
from exams import services as exam_services
from exams.bank_sync import question_sync
from exams.models import Attempt, Question, Submission

SHORT_SLUG = "seed002-q1-short-answers"  # free-text parts; same_init is self-assessed
TEXT_PART = "same_init"


@pytest.fixture
def short_question(course) -> Question:
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SHORT_SLUG))
    question = Question.objects.get(slug=SHORT_SLUG)
    course.questions.add(question)
    return question


def answer(attempt: Attempt, student, text: str = "No: symmetry.", **extra: str) -> Submission:
    """Submit a free-text answer to part `same_init` (plus `extra` parts) and mark it here."""
    question = attempt.question or attempt.paper.questions.get(slug=SHORT_SLUG)
    exact = exam_services.attempt_variant(attempt=attempt, question=question).reference["exact"]
    automatic = {"n_params": str(exact["n_params"]), "tensor": str(list(exact["tensor"]))}
    submission = exam_services.submission_create(
        attempt=attempt,
        student=student,
        answers={**automatic, TEXT_PART: text, **extra},
        question=question,
    )
    graded = exam_services.submission_grade(submission_id=submission.pk)
    assert graded.status == Submission.Status.GRADED, graded.error_message
    return graded


@pytest.fixture
def practice(course, student, short_question) -> Attempt:
    return exam_services.attempt_start_question(
        student=student, course=course, question=short_question
    )


@pytest.fixture
def marked(practice, student) -> Submission:
    """Alice's marked practice answer: `same_init` awaits a mark by hand."""
    return answer(practice, student)


@pytest.fixture
def short_paper(course, short_question):
    """A paper of the short-answers question, worth 10 marks, without a time limit."""
    return exam_services.paper_create(
        course=course,
        title="Short answers",
        time_limit_minutes=None,
        use_original_numbers=False,
        items=[(short_question, Decimal("10"))],
    )

"""Marks given by hand reach the LMS gradebook: PendingManual until the last free-text part is
marked, then FullyGraded with the new score."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

from django.conf import settings as dj_settings

import question_engine
from exams import services as exam_services
from exams.bank_sync import question_sync
from exams.models import Question, Submission
from lti_grades import selectors, services
from manual_marking import services as marking_services
from manual_marking.models import ManualMark

MANUAL_SLUG = "seed001-q9-convergence-rates"  # part "derivation" is free text (3 marks)


def test_the_last_manual_mark_sends_fully_graded_with_the_new_score(
    link, course, student, instructor, django_capture_on_commit_callbacks
):
    question_sync(definition=question_engine.load_question(dj_settings.BANK_ROOT / MANUAL_SLUG))
    question = Question.objects.get(slug=MANUAL_SLUG)
    course.questions.add(question)
    attempt = exam_services.attempt_start_question(
        student=student, course=course, question=question
    )
    link.launch(attempt, link.lti_user(student, "learner-1"))
    exact = exam_services.attempt_variant(attempt=attempt).reference["exact"]
    answers = {
        "derivation": "x <- (I - eta A) x, so the rate is max |1 - eta lambda_i|.",
        "eta_opt": f"{exact['eta_opt']:.3g}",
        "rate_gd": "5",
        "steps_ratio": "5",
    }
    submission = exam_services.submission_create(attempt=attempt, student=student, answers=answers)
    graded = exam_services.submission_grade(submission_id=submission.pk)
    before = selectors.attempt_score(attempt=attempt)
    assert before.grading_progress == "PendingManual"

    with (
        mock.patch("lti_grades.tasks.refresh_attempt_passbacks.delay") as refresh,
        django_capture_on_commit_callbacks(execute=True),
    ):
        marking_services.manual_mark_create(
            submission=graded,
            part_label="derivation",
            score=Decimal("2.5"),
            comment="Rate right; justify the optimum.",
            marked_by=instructor,
            source=ManualMark.Source.INSTRUCTOR,
            expected_mark_id=None,
        )
    refresh.assert_called_once_with(attempt.pk)  # the signal queued the passback

    after = selectors.attempt_score(attempt=attempt)
    assert after.grading_progress == "FullyGraded"
    assert after.score_given == before.score_given + 2.5
    assert float(Submission.objects.get(pk=graded.pk).score) == after.score_given

    with django_capture_on_commit_callbacks():
        (row,) = services.attempt_passbacks_refresh(attempt_id=attempt.pk)
    services.passback_send(passback_id=row.pk)
    (body,) = link.services.scores_for(link.line_item.url, "learner-1")
    assert body["gradingProgress"] == "FullyGraded"
    assert body["scoreGiven"] == after.score_given

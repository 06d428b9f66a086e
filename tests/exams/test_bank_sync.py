"""Importing question folders: idempotent, and versioned once students have answered."""

from __future__ import annotations

import dataclasses
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings

import question_engine
from exams import services
from exams.bank_sync import question_sync
from exams.models import Part, QuestionVersion


def _definition():
    return question_engine.load_question(settings.BANK_ROOT / "demo-linear-neuron")


@pytest.mark.django_db
def test_sync_is_idempotent():
    assert question_sync(definition=_definition()).action == "created"
    assert question_sync(definition=_definition()).action == "unchanged"
    assert QuestionVersion.objects.count() == 1


@pytest.mark.django_db
def test_change_before_any_submission_updates_in_place():
    question_sync(definition=_definition())
    changed = dataclasses.replace(_definition(), notes="clarified", content_hash="x" * 64)
    assert question_sync(definition=changed).action == "updated"
    assert QuestionVersion.objects.get().notes == "clarified"


@pytest.mark.django_db
def test_change_after_a_submission_creates_a_new_version_and_old_work_keeps_its_own(
    course, student
):
    attempt = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    variant = services.attempt_variant(attempt=attempt)
    answers = {k: f"{v:.2f}" for k, v in variant.reference["exact"].items()}
    submission = services.submission_create(attempt=attempt, student=student, answers=answers)

    changed = dataclasses.replace(_definition(), notes="v2 wording", content_hash="y" * 64)
    outcome = question_sync(definition=changed)
    assert (outcome.action, outcome.version) == ("new_version", 2)
    submission.refresh_from_db()
    assert submission.variant.version.number == 1
    graded = services.submission_grade(submission_id=submission.pk)
    assert float(graded.score) == 2.0
    assert services.attempt_variant(attempt=attempt).version.number == 1
    fresh = services.attempt_start_question(
        student=student, course=course, question=course.questions.get()
    )
    assert services.attempt_variant(attempt=fresh).version.number == 2


@pytest.mark.django_db
def test_sync_and_the_data_migration_name_parts_sharing_a_source_part_uniquely():
    shared = dataclasses.replace(
        _definition(),
        parts=[dataclasses.replace(part, source_part="(a)") for part in _definition().parts],
    )
    question_sync(definition=shared)
    parts = Part.objects.order_by("order")
    assert [part.display_label for part in parts] == ["(a) 1 of 2", "(a) 2 of 2"]
    Part.objects.update(display_name="")  # a row stored before the field existed
    assert [part.display_label for part in parts.all()] == ["(a)", "(a)"]
    import_module("exams.migrations.0009_part_display_name").fill_display_names(apps, None)
    assert [part.display_label for part in parts.all()] == ["(a) 1 of 2", "(a) 2 of 2"]

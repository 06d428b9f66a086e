"""Bank sync stores each part's `self_assessment` flag; the marking definition carries it."""

from __future__ import annotations

import pytest
from django.conf import settings

import question_engine
from exams.bank_bridge import definition_from_version
from exams.bank_sync import question_sync
from exams.models import Question

SLUG = "seed002-q1-short-answers"


@pytest.mark.django_db
def test_bank_sync_stores_the_flag_and_the_definition_reads_it_back():
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / SLUG))
    version = Question.objects.get(slug=SLUG).current_version
    flagged = set(version.parts.filter(self_assessment=True).values_list("label", flat=True))
    assert flagged == {"same_init", "flat_loss", "local_minima", "small_batch"}
    definition = definition_from_version(version)
    assert {p.label for p in definition.parts if p.self_assessment} == flagged

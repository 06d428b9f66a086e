"""Named mistakes from perturbed solver runs, stored with a variant and used by the worker."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from django.conf import settings
from django.core.management import call_command

import question_engine
from exams import services
from exams.bank_bridge import build_variant_data, definition_from_version
from exams.bank_sync import question_sync
from exams.models import Question, QuestionVersion, Variant

Q4 = "seed002-q4-rnn-posenc"


def encoding_in_degrees(pos: int, d_model: int) -> str:
    values = [
        (math.sin if dim % 2 == 0 else math.cos)(
            math.radians(pos / 10000 ** (2 * (dim // 2) / d_model))
        )
        for dim in range(11)
    ]
    return json.dumps([round(value, 4) for value in values])


@pytest.fixture
def q4_course(course):
    question_sync(definition=question_engine.load_question(settings.BANK_ROOT / Q4))
    course.questions.add(Question.objects.get(slug=Q4))
    return course


@pytest.mark.django_db
def test_the_perturbations_table_is_stored_with_the_version(demo_question):
    definition = question_engine.load_question(settings.BANK_ROOT / "demo-linear-neuron")
    settings_table = question_engine.PerturbationSettings(
        off=("sign",), slips={"mean_for_sum": "averaging where a sum is needed"}
    )
    changed = dataclasses.replace(definition, perturbations=settings_table, content_hash="p" * 64)
    question_sync(definition=changed)
    version = QuestionVersion.objects.get(question=demo_question)
    assert version.perturbations == {
        "off": ["sign"],
        "slips": {"mean_for_sum": "averaging where a sum is needed"},
        "optional": {},
    }
    assert definition_from_version(version).perturbations == settings_table


@pytest.mark.django_db
def test_a_built_variant_stores_its_alternatives(q4_course):
    version = QuestionVersion.objects.get(question__slug=Q4)
    data = build_variant_data(version=version, seed=None, paper=True)
    assert set(data["reference"]["alternatives"]["pe"]) >= {"degrees"}
    json.dumps(data["reference"])


@pytest.mark.django_db
def test_the_worker_names_degree_mode_for_new_and_old_variants(q4_course, student):
    question = Question.objects.get(slug=Q4)
    attempt = services.attempt_start_question(student=student, course=q4_course, question=question)
    variant = services.attempt_variant(attempt=attempt)
    assert "degrees" in variant.reference["alternatives"]["pe"]
    exact = variant.reference["exact"]
    answer = {
        **{label: json.dumps(exact[label]) for label in ("h1", "y1", "h2", "y2")},
        **{label: exact[label] for label in ("pair1", "pair2", "pair3")},
        "pe_explain": "sin and cos of pos / 10000^(2i/d)",
        "mode_collapse": "the generator covers few modes",
        "pe": encoding_in_degrees(variant.params["pos"], variant.params["d_model"]),
    }

    submission = services.submission_create(attempt=attempt, student=student, answers=answer)
    graded = services.submission_grade(submission_id=submission.pk)
    assert graded.feedback["y1"]["status"] == "correct"
    assert graded.feedback["pe"]["mistakes"] == ["degrees"]
    assert "degrees instead of radians" in graded.feedback["pe"]["feedback"]

    old = {key: value for key, value in variant.reference.items() if key != "alternatives"}
    Variant.objects.filter(pk=variant.pk).update(reference=old)
    again = services.submission_create(attempt=attempt, student=student, answers=answer)
    regraded = services.submission_grade(submission_id=again.pk)
    assert regraded.feedback["pe"]["mistakes"] == ["degrees"]


def test_the_grade_command_names_cross_entropy_in_log10(tmp_path, capsys):
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps({"J": "0.73"}))
    call_command(
        "grade", "seed002-q2-mlp-forward-backward", "--paper", "--answers", str(answers_file)
    )
    j = json.loads(capsys.readouterr().out)["parts"]["J"]
    assert j["mistakes"] == ["log10_for_ln"]
    assert j["feedback"].startswith("Your J matches the answer you get using log₁₀ instead of ln")

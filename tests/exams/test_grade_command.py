"""`manage.py grade`: scriptable marking through the worker's marking code."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

import question_engine


def _grade(tmp_path, capsys, answers, *args: str) -> dict:
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers))
    call_command("grade", "demo-linear-neuron", *args, "--answers", str(answers_file))
    return json.loads(capsys.readouterr().out)


def _paper_reference() -> dict:
    definition = question_engine.load_question(settings.BANK_ROOT / "demo-linear-neuron")
    return question_engine.build_variant(definition, paper=True).reference.exact


def test_paper_variant_marked_as_json(tmp_path, capsys):
    reference = _paper_reference()
    result = _grade(tmp_path, capsys, {"y": f"{reference['y']:.2f}", "loss": "-1"}, "--paper")
    assert result["max_score"] == 2
    assert result["score"] == 1
    assert result["parts"]["y"]["status"] == "correct"
    assert result["parts"]["loss"]["status"] == "incorrect"
    assert {"score", "max_score", "status", "feedback"} <= set(result["parts"]["y"])


def test_seeded_variant_and_format_error(tmp_path, capsys):
    result = _grade(tmp_path, capsys, {"y": "not a number", "loss": "1"}, "--seed", "7")
    assert result["parts"]["y"]["status"] == "format_error"


def test_unknown_question_is_a_clear_error(tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text("{}")
    with pytest.raises(CommandError, match="No question 'nope' in the bank"):
        call_command("grade", "nope", "--seed", "1", "--answers", str(answers))


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ('["1"]', "JSON object"), ('{"y": 1}', "JSON object")],
)
def test_malformed_answers_file_is_a_clear_error(tmp_path, content, message):
    answers = tmp_path / "a.json"
    answers.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("grade", "demo-linear-neuron", "--seed", "1", "--answers", str(answers))


def test_missing_answers_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "grade", "demo-linear-neuron", "--seed", "1", "--answers", str(tmp_path / "x.json")
        )

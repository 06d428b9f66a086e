"""`manage.py bank list | validate | sync | preview` and the bank system check."""

from __future__ import annotations

import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from exams.checks import check_bank_questions
from exams.models import QuestionVersion

DEMO = "demo-linear-neuron"


def test_list_json_shows_every_question_with_source_and_parts(capsys):
    call_command("bank", "list", "--json")
    rows = {row["slug"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows[DEMO]["parts"][0] == {
        "label": "y",
        "source_part": "(a)",
        "marks": 1.0,
        "kind": "number",
    }
    seed_sources = {
        row["source"].split()[0] for row in rows.values() if row["slug"].startswith("seed")
    }
    assert "002_9ac109d30a929c13.txt" in seed_sources


def test_validate_passes_for_a_good_question(capsys):
    call_command("bank", "validate", DEMO, "--seeds", "5")
    assert f"{DEMO}: ok" in capsys.readouterr().out


def test_validate_fails_with_the_problem_for_a_broken_question(tmp_path, capsys, settings):
    broken = tmp_path / "broken-neuron"
    shutil.copytree(settings.BANK_ROOT / DEMO, broken)
    solver = broken / "question.py"
    solver.write_text(solver.read_text().replace('r.report("loss"', 'r.report("lossy"'))
    settings.BANK_ROOT = tmp_path
    with pytest.raises(CommandError, match="1 question"):
        call_command("bank", "validate", "broken-neuron", "--seeds", "3")
    assert "never reports 'loss'" in capsys.readouterr().out


@pytest.mark.django_db
def test_sync_is_idempotent_from_the_command(tmp_path, capsys):
    folder = tmp_path / DEMO
    shutil.copytree(settings.BANK_ROOT / DEMO, folder)
    call_command("bank", "sync", str(tmp_path))
    call_command("bank", "sync", str(tmp_path))
    out = capsys.readouterr().out
    assert f"{DEMO}: created (version 1)" in out and f"{DEMO}: unchanged (version 1)" in out
    assert QuestionVersion.objects.count() == 1


def test_preview_prints_statement_answers_and_solution(capsys):
    call_command("bank", "preview", DEMO, "--paper")
    out = capsys.readouterr().out
    assert "answer:" in out and "## Worked solution" in out


def test_preview_of_an_unknown_question_is_a_clear_error():
    with pytest.raises(CommandError, match="No question 'nope'"):
        call_command("bank", "preview", "nope", "--seed", "1")


def test_system_check_reports_a_broken_folder_with_id_and_hint(tmp_path, settings):
    bad = tmp_path / "bad-question"
    bad.mkdir()
    (bad / "question.toml").write_text('title = "x"\n[[parts]]\nlabel = "a"\nmarks = -1\n')
    settings.BANK_ROOT = tmp_path
    errors = check_bank_questions()
    assert [e.id for e in errors] == ["bank.E001"]
    assert "bad-question" in errors[0].msg and errors[0].hint


def _bank_with_a_broken_question(tmp_path, settings):
    shutil.copytree(settings.BANK_ROOT / DEMO, tmp_path / DEMO)
    broken = tmp_path / "broken-source"
    shutil.copytree(settings.BANK_ROOT / DEMO, broken)
    toml = broken / "question.toml"
    toml.write_text(toml.read_text().replace('source = "not from a seed paper"', 'source = "x"'))
    settings.BANK_ROOT = tmp_path


def test_one_broken_question_does_not_stop_validating_another(tmp_path, settings, capsys):
    """System checks run as from the shell; bank.E001 must not block the command that fixes it."""
    _bank_with_a_broken_question(tmp_path, settings)
    assert [e.id for e in check_bank_questions()] == ["bank.E001"]
    call_command("bank", "validate", DEMO, "--seeds", "2", skip_checks=False)
    assert f"{DEMO}: ok" in capsys.readouterr().out
    with pytest.raises(CommandError, match="broken-source/question.toml: source must be"):
        call_command("bank", "validate", "broken-source", skip_checks=False)
    with pytest.raises(CommandError, match="broken-source/question.toml: source must be"):
        call_command("bank", "list", skip_checks=False)

"""Quantities a rule compares against reach the reference even when no part asks for them."""

from __future__ import annotations

import shutil

from django.conf import settings

import grader
import question_engine


def test_anticipated_quantity_is_kept_in_the_reference_and_marks_its_feedback(tmp_path):
    folder = tmp_path / "neuron-with-hint"
    shutil.copytree(settings.BANK_ROOT / "demo-linear-neuron", folder)
    solver = folder / "question.py"
    solver.write_text(solver.read_text() + '    r.report("loss_no_square", abs(p["d"] - y))\n')
    toml = folder / "question.toml"
    toml.write_text(
        toml.read_text().replace(
            "rule = { tolerance = { dp = 2 } }\n",
            'rule = { tolerance = { dp = 2 }, anticipated = [{ quantity = "loss_no_square", '
            'feedback = "You forgot to square the difference.", credit = 0 }] }\n',
        )
    )
    question = question_engine.load_question(folder)
    build = question_engine.build_variant(question, paper=True)
    assert "loss_no_square" in build.reference.exact

    unsquared = build.reference.exact["loss_no_square"]
    result = grader.mark_question(
        question.part_specs(),
        build.reference,
        {"y": f"{build.reference.exact['y']:.2f}", "loss": f"{unsquared:.2f}"},
    )
    assert "forgot to square" in result.parts["loss"].feedback

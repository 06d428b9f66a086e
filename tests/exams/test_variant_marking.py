"""The shared marking path: shapes are never checked before marking, only in it."""

from __future__ import annotations

import grader
from exams.variant_marking import answers_shaped_like_reference

VECTOR = grader.PartSpec(label="u1", kind="vector", marks=2, rule={"tolerance": {"dp": 2}})
EXACT = {"u1": [1.3, -4.7, 3.6]}


def test_the_format_check_accepts_a_vector_of_any_length():
    for answer in ("[1.3, -4.7]", "[1.3, -4.7, 3.6]", "[1, 2, 3, 4]"):
        assert grader.check_format([VECTOR], {"u1": answer}) == {}


def test_a_wrong_length_scores_zero_with_feedback_that_names_no_length():
    result = grader.mark_part(VECTOR, grader.Reference(exact=EXACT), "[1.3, -4.7]")
    assert (result.status, result.score, result.mistakes) == ("incorrect", 0.0, ("shape",))
    assert "3" not in result.feedback and "2" not in result.feedback


def test_answers_of_another_shape_are_not_carried_forward():
    parts = [VECTOR, grader.PartSpec(label="y", kind="number", marks=1, rule={})]
    parsed = {"u1": [[1.3], [-4.7], [3.6]], "y": 0.5}
    assert answers_shaped_like_reference(parts, parsed, {**EXACT, "y": 0.4}) == {
        "u1": [1.3, -4.7, 3.6],
        "y": 0.5,
    }
    assert answers_shaped_like_reference(parts, {"u1": [1.3, -4.7]}, EXACT) == {}

"""The shared marking path's request-time help: array parts learn their variant's shape."""

from __future__ import annotations

import grader
from exams.variant_marking import parts_with_expected_shapes


def test_wrong_shape_is_a_format_error_at_request_time():
    parts = [grader.PartSpec(label="u1", kind="vector", marks=2, rule={"tolerance": {"dp": 2}})]
    exact = {"u1": [1.3, -4.7, 3.6]}
    shaped = parts_with_expected_shapes(parts, exact)
    assert shaped[0].rule["shape"] == [3]
    problems = grader.check_format(shaped, {"u1": "[1.3, -4.7]"})
    assert "u1" in problems
    assert grader.check_format(shaped, {"u1": "[1.3, -4.7, 3.6]"}) == {}


def test_rules_that_state_a_shape_and_scalar_parts_are_left_alone():
    parts = [
        grader.PartSpec(label="W", kind="matrix", marks=1, rule={"shape": [2, 3]}),
        grader.PartSpec(label="y", kind="number", marks=1, rule={}),
    ]
    shaped = parts_with_expected_shapes(parts, {"W": [[1, 2], [3, 4]], "y": 0.5})
    assert shaped == parts

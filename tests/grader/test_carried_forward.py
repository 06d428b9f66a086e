"""The carried-forward path earns nothing when the carried value is trivially zero.

Seed 002/004 Q2 numbers (tests/grader/seed_mlp.py): with the student's g_u3 = 0, the
carried-forward g_u2 = W3 · g_u3 · f'(u2) and g_W2 = h1 ⊗ g_u2 are all zero, although the
exact ones are not; writing 0 shows none of the step's work.
"""

import numpy as np
import pytest

from grader import PartSpec, Reference, mark_part
from tests.grader.seed_mlp import solve

DP2 = {"tolerance": {"dp": 2}}
DP3 = {"tolerance": {"dp": 3}}
EXACT = solve()


def mark(kind, answer, carried, quantity="g_u2", rule=DP2, exact=None):
    reference = Reference(
        exact={quantity: EXACT[quantity] if exact is None else exact},
        carried_forward={quantity: carried},
    )
    return mark_part(PartSpec(quantity, kind, 2, rule), reference, answer)


def test_the_seed_gradients_are_not_zero_in_their_first_column():
    assert EXACT["g_u2"] == pytest.approx([0.0442, 0.0], abs=5e-5)
    assert [row[0] for row in EXACT["g_W2"]] == pytest.approx([0.0381, -0.0442, 0.0441], abs=5e-5)


@pytest.mark.parametrize(
    ("quantity", "kind", "answer"),
    [("g_u2", "vector", "[0, 0]"), ("g_W2", "matrix", "[[0, 0], [0, 0], [0, 0]]")],
)
def test_a_zero_carried_forward_from_a_zero_earlier_answer_earns_nothing(quantity, kind, answer):
    carried = np.zeros(np.shape(EXACT[quantity])).tolist()
    result = mark(kind, answer, carried, quantity)
    assert (result.score, result.status, result.matched) == (0.0, "incorrect", None)
    assert "carried forward" not in result.feedback
    per_entry = mark(kind, answer, carried, quantity, {**DP2, "per_element_credit": True})
    assert per_entry.score == 1.0  # only the entries whose exact value is 0 to 2 d.p.
    assert "carried forward" not in per_entry.feedback


def test_a_carried_value_the_tolerance_reads_as_zero_is_trivial_too():
    assert mark("number", "0", 0.004, "g_u3", exact=0.8135).score == 0.0
    assert mark("number", "0", 0.004, "g_u3", DP3, exact=0.8135).score == 0.0
    at_3dp = mark("number", "0.004", 0.004, "g_u3", DP3, exact=0.8135)
    assert (at_3dp.score, at_3dp.matched) == (2.0, "carried_forward")


def test_a_carried_value_with_real_work_still_earns_its_credit():
    result = mark("vector", "[0.05, 0]", [0.05, 0.0])
    assert (result.score, result.matched) == (2.0, "carried_forward")
    assert result.feedback == "Correct when your own earlier answers are carried forward."
    one_row = [[0.0, 0.0], [0.05, 0.0], [0.0, 0.0]]
    partly_zero = mark("matrix", "[[0, 0], [0.05, 0], [0, 0]]", one_row, "g_W2")
    assert (partly_zero.score, partly_zero.matched) == (2.0, "carried_forward")
    number = mark("number", "0.62", 0.6225, "y", exact=0.8135)
    assert (number.score, number.matched) == (2.0, "carried_forward")


def test_zero_is_still_right_when_the_exact_value_is_zero():
    result = mark("vector", "[0, 0]", [0.0, 0.0], exact=[0.0, 0.001])
    assert (result.score, result.matched) == (2.0, "exact")


@pytest.mark.parametrize(
    ("quantity", "kind", "answer", "carried"),
    [
        ("y", "number", "1", 1.0),
        ("g_u3", "number", "1", 1.0),
        ("dh1", "vector", "[1, 1, 1]", [1.0, 1.0, 1.0]),
        ("g_u2", "vector", "[1, -1]", [1.0, -1.0]),
    ],
)
def test_a_saturated_carried_value_earns_nothing(quantity, kind, answer, carried):
    """A huge earlier answer saturates the sigmoid or tanh: y = 1, y − d = 1, 1 − h² = 1 come
    out without any of the step's arithmetic (the attacker's seed 002 Q2 chain)."""
    exact = {"y": 0.8135, "g_u3": 0.8135, "dh1": [0.21, 0.99, 0.5], "g_u2": [0.0442, 0.3]}
    result = mark(kind, answer, carried, quantity, exact=exact[quantity])
    assert (result.score, result.matched) == (0.0, None)


def test_a_count_of_one_carried_forward_still_earns_its_credit():
    """In an integer part only 0 is trivial: an output size of 1 is real arithmetic."""
    result = mark("integer", "1", 1, "size", rule={}, exact=3)
    assert (result.score, result.matched) == (2.0, "carried_forward")

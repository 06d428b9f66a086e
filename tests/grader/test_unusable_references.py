"""Reference, path and alternative values that are no finite float never stop an answer being
marked: they are left out (a path, a mistake) or leave the part to an instructor (the exact
reference). A solver computes such values from a student's huge answer: with F1 = 1e300 the
parameter count (d·F1² + 1)·n of seed 002 Q3 is an integer near 10**601."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import PartSpec, Reference, mark_part
from grader.finite import finite_array
from grader.kinds.base import NO_REFERENCE_FEEDBACK
from grader.mistakes import alternative_is_right

HUGE = 10**400
UNUSABLE = [HUGE, [HUGE], float("inf"), float("-inf"), float("nan"), [[1, 2], [3]], "abc", {}]
COUNT = PartSpec("p", "integer", 1)
LOSS = PartSpec("p", "number", 2, {"tolerance": {"dp": 2}})


def test_the_reported_case_marks_the_right_count_correct():
    reference = Reference(exact={"p": 870}, carried_forward={"p": HUGE})
    result = mark_part(COUNT, reference, "870")
    assert (result.status, result.matched, result.score) == ("correct", "exact", 1.0)
    assert mark_part(COUNT, reference, "871").status == "incorrect"


@pytest.mark.parametrize("value", UNUSABLE)
@pytest.mark.parametrize("path", ["rounded", "carried_forward"])
@pytest.mark.parametrize("part", [COUNT, LOSS], ids=["integer", "number_dp2"])
def test_an_unusable_path_value_is_left_out(part, path, value):
    reference = Reference(exact={"p": 870}, **{path: {"p": value}})
    right = mark_part(part, reference, "870")
    assert (right.status, right.matched) == ("correct", "exact")
    for wrong in ("5", "1e308", "-1.7976931348623157e308"):
        assert mark_part(part, reference, wrong).score == 0.0


@pytest.mark.parametrize("value", UNUSABLE)
def test_an_unusable_exact_reference_leaves_the_part_to_an_instructor(value):
    result = mark_part(LOSS, Reference(exact={"p": value}), "1.68")
    assert (result.status, result.feedback) == ("needs_manual", NO_REFERENCE_FEEDBACK)


def test_unusable_alternatives_are_skipped_and_the_generic_mistakes_still_named():
    alternatives = {"p": {"big": HUGE, "chain": {"value": [HUGE], "rounded": float("inf")}}}
    reference = Reference(exact={"p": 1.68}, alternatives=alternatives)
    result = mark_part(LOSS, reference, "-1.68")
    assert result.mistakes == ("sign",)


def test_an_unusable_anticipated_quantity_or_angle_argument_is_skipped():
    rule = {
        "tolerance": {"dp": 2},
        "anticipated": [{"quantity": "u3", "feedback": "That is u3, not the loss."}],
        "mistake_hints": {"angle": {"function": "sin", "argument": "theta"}},
    }
    part = PartSpec("p", "number", 2, rule)
    reference = Reference(exact={"p": 1.68, "u3": HUGE, "theta": HUGE})
    assert mark_part(part, reference, "1.68").status == "correct"
    assert mark_part(part, reference, "-1.68").mistakes == ("sign",)
    assert mark_part(part, reference, "0.5").feedback == "Incorrect."


def test_a_vector_path_with_one_huge_entry_is_left_out():
    part = PartSpec("p", "vector", 1, {"tolerance": {"dp": 2}})
    reference = Reference(exact={"p": [1.3, -4.7]}, carried_forward={"p": [2.0, HUGE]})
    assert mark_part(part, reference, "[1.3, -4.7]").matched == "exact"
    assert mark_part(part, reference, "[2.0, 1e308]").score == 0.0


def test_finite_array_reads_numbers_and_rejects_the_rest():
    assert finite_array([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert finite_array(10**300).item() == 1e300
    assert finite_array(None) is None
    for value in UNUSABLE:
        assert finite_array(value) is None


def test_an_alternative_that_is_no_finite_number_cannot_be_checked():
    reference = Reference(exact={"p": 1.68})
    with pytest.raises(ValueError, match="not a finite numeric value"):
        alternative_is_right(LOSS, reference, HUGE)
    assert not alternative_is_right(LOSS, Reference(exact={"p": HUGE}), 1.68)


scalars = st.one_of(
    st.integers(min_value=-(10**700), max_value=10**700),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(values, values, values, values, st.sampled_from(["5", "0", "[1, 2]", "[[0, 0]]", "1e308"]))
def test_no_reference_value_makes_marking_raise(exact, rounded, carried, alternative, answer):
    reference = Reference(
        exact={"p": exact, "u3": alternative},
        rounded={"p": rounded},
        carried_forward={"p": carried},
        alternatives={"p": {"slip": alternative, "chain": {"value": carried}}},
    )
    rule = {
        "tolerance": {"dp": 2},
        "anticipated": [{"quantity": "u3", "feedback": "That is u3."}],
        "mistake_hints": {"angle": {"function": "sin", "argument": "u3"}},
    }
    for kind in ("number", "integer", "vector", "matrix"):
        result = mark_part(PartSpec("p", kind, 1, rule), reference, answer)
        assert 0.0 <= result.score <= 1.0

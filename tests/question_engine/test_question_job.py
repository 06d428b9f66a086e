"""The reporter's three modes on a small solver, and the harness entry points run in-process."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from question_engine.jobs.question import (
    Reporter,
    harness_build,
    harness_carried_forward,
    round_half_away,
)

SOLVER = """
import numpy as np


def generate(rng):
    return {"x": rng.integers(1, 5, size=2).tolist(), "w": 0.555}


def solve(p, r):
    u = r.report("u", np.array(p["x"]) * p["w"])
    s = r.report("s", float(u.sum()))
    r.report("t", s * 10)
"""


def small_solve(p: dict, r: Reporter) -> None:
    u = r.report("u", np.array(p["x"]) * p["w"])
    s = r.report("s", float(u.sum()))
    r.report("t", s * 10)


def run(mode: str, **options) -> Reporter:
    reporter = Reporter(mode, **options)
    small_solve({"x": [1.0, 2.0], "w": 0.555}, reporter)
    return reporter


def test_exact_mode_keeps_full_precision():
    q = run("exact").quantities
    assert q["u"] == [0.555, 1.11]
    assert q["s"] == pytest.approx(1.665)
    assert q["t"] == pytest.approx(16.65)


def test_rounded_mode_rounds_before_use():
    q = run("rounded", decimals={"u": 1, "s": 1}).quantities
    assert q["u"] == [0.6, 1.1]
    assert q["s"] == 1.7
    assert q["t"] == pytest.approx(17.0)


def test_explicit_dp_applies_only_in_rounded_mode():
    exact, rounded = Reporter("exact"), Reporter("rounded")
    assert exact.report("a", 0.125, dp=2) == 0.125
    assert rounded.report("a", 0.125, dp=2) == 0.13


def test_carried_forward_records_computed_and_returns_student_value():
    reporter = run("carried_forward", answers={"u": [1.0, 1.0], "t": 99.0})
    q = reporter.quantities
    assert q["u"] == [0.555, 1.11]
    assert q["s"] == 2.0
    assert q["t"] == 20.0
    assert reporter.substituted == ["u", "t"]


def test_carried_forward_ignores_answers_of_the_wrong_shape_or_type():
    reporter = run("carried_forward", answers={"u": [1.0, 2.0, 3.0], "s": "abc"})
    assert reporter.quantities["t"] == pytest.approx(16.65)
    assert reporter.substituted == []


def test_returned_values_keep_the_authors_type():
    reporter = Reporter("carried_forward", answers={"a": [1, 2], "b": 3.0, "c": [5.0]})
    a = reporter.report("a", np.array([0.5, 0.5]))
    b = reporter.report("b", np.float64(2.0))
    c = reporter.report("c", torch.tensor([1.0], dtype=torch.float64))
    assert isinstance(a, np.ndarray) and a.tolist() == [1.0, 2.0]
    assert isinstance(b, np.float64) and b == 3.0
    assert isinstance(c, torch.Tensor) and c.dtype == torch.float64 and c.tolist() == [5.0]
    assert reporter.quantities == {"a": [0.5, 0.5], "b": 2.0, "c": [1.0]}


def test_rounding_is_half_away_from_zero_for_all_types():
    assert round_half_away(2.675, 2) == 2.68
    assert round_half_away(-0.125, 2) == -0.13
    assert round_half_away(np.array([0.005, -0.005]), 2).tolist() == [0.01, -0.01]
    assert round_half_away(torch.tensor([0.125], dtype=torch.float64), 2).tolist() == [0.13]
    assert round_half_away(7, 2) == 7


def test_non_finite_values_fail_in_exact_mode_and_record_none_when_carried_forward():
    with pytest.raises(ValueError, match="'bad' is not finite"):
        Reporter("exact").report("bad", np.array([1.0, np.nan]))
    reporter = Reporter("carried_forward")
    reporter.report("bad", float("inf"))
    assert reporter.quantities == {"bad": None}


def test_reporting_a_name_twice_is_an_error():
    reporter = Reporter()
    reporter.report("a", 1.0)
    with pytest.raises(ValueError, match="reported twice"):
        reporter.report("a", 2.0)


def test_harness_build_and_carried_forward():
    built = harness_build(SOLVER, 7, None, {"s": 1})
    x = built["params"]["x"]
    assert built["exact"]["s"] == pytest.approx(0.555 * sum(x))
    assert built["rounded"]["s"] == round_half_away(0.555 * sum(x), 1)
    paper = harness_build(SOLVER, None, {"x": [1, 1], "w": 0.5}, {})
    assert paper["exact"]["t"] == 10.0
    carried = harness_carried_forward(SOLVER, paper["params"], {"s": 3.0})
    assert carried["quantities"]["t"] == 30.0
    assert carried["substituted"] == ["s"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def solve(p, r):\n    pass\n", "must define a function generate"),
        (
            "def generate(rng):\n    return [1]\n\ndef solve(p, r):\n    pass\n",
            "must return a dict",
        ),
        (
            "def generate(rng):\n    return {'a': object()}\n\ndef solve(p, r):\n    pass\n",
            "param 'a' is not JSON-able",
        ),
        (
            "def generate(rng):\n    return {}\n\ndef solve(p, r):\n    pass\n",
            "reported no quantities",
        ),
    ],
)
def test_harness_explains_broken_author_code(source, message):
    with pytest.raises((TypeError, ValueError), match=message):
        harness_build(source, 1, None, {})


DIVIDING_SOLVER = """
def generate(rng):
    return {"n": 4}


def solve(p, r):
    n = r.report("n", p["n"])
    half = r.report("half", n / 2)
    r.report("inverse", 1 / half)
    r.report("power", n**2000)
"""


def test_a_solve_that_fails_on_the_students_answers_keeps_what_it_reported():
    carried = harness_carried_forward(DIVIDING_SOLVER, {"n": 4}, {"half": 0})
    assert carried["quantities"] == {"n": 4, "half": 2.0}
    assert carried["failed"] == "ZeroDivisionError: float division by zero"
    assert carried["substituted"] == ["half"]


def test_a_carried_value_too_long_for_json_is_recorded_as_none():
    carried = harness_carried_forward(DIVIDING_SOLVER, {"n": 4}, {"n": 2**1000})
    assert carried["quantities"]["half"] == 2.0**999
    assert carried["quantities"]["inverse"] == 2.0**-999
    assert carried["quantities"]["power"] is None
    assert "failed" not in carried
    assert harness_carried_forward(DIVIDING_SOLVER, {"n": 4}, {})["quantities"]["power"] == 4**2000


def test_a_question_that_cannot_be_loaded_still_fails_the_carried_forward_run():
    with pytest.raises(TypeError, match="must define a function generate"):
        harness_carried_forward("def solve(p, r):\n    pass\n", {}, {})

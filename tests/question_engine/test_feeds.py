"""Which asked quantities feed other parts, found by replacing them in `solve` (real sandbox)."""

from __future__ import annotations

from question_engine import load_question
from question_engine.feeds import carried_forward_needed, quantity_feeds

TWO_PARTS = """
title = "Two parts"
topic = "Testing"
source = "not from a seed paper"

[[parts]]
label = "u"
marks = 1
kind = "number"
prompt = "Compute $u$."
rule = { tolerance = { dp = 2 } }

[[parts]]
label = "y"
marks = 1
kind = "number"
prompt = "Compute $y$."
rule = { tolerance = { dp = 2 } }

[[parts]]
label = "pick"
marks = 1
kind = "choice"
prompt = "Pick one."
rule = { options = ["a", "b"] }
"""
CHAIN = """
def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    u = r.report("u", p["a"] / 3)
    r.report("y", max(u, 0.0) * 3 + 1)
    r.report("pick", "a")
"""
INDEPENDENT = """
def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    r.report("u", p["a"] / 3)
    r.report("y", p["a"] * 3 + 1)
    r.report("pick", "a")
"""


def _question(make_question, code: str):  # noqa: ANN001, ANN202
    return load_question(make_question(files={"question.toml": TWO_PARTS, "question.py": code}))


def test_a_later_quantity_computed_from_an_earlier_answer_is_fed_by_it(make_question):
    feeds = quantity_feeds(_question(make_question, CHAIN))
    assert feeds == {"u": ["y"], "y": [], "pick": []}


def test_independent_parts_feed_nothing(make_question):
    assert quantity_feeds(_question(make_question, INDEPENDENT)) == {
        "u": [],
        "y": [],
        "pick": [],
    }


def test_a_choice_label_that_changes_a_later_value_feeds_it(make_question):
    code = """
def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    u = r.report("u", p["a"] / 3)
    pick = r.report("pick", "a")
    r.report("y", u if pick == "a" else -u)
"""
    assert quantity_feeds(_question(make_question, code))["pick"] == ["y"]


def test_a_solve_that_raises_on_a_replaced_value_counts_as_feeding_everything(make_question):
    code = """
def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    u = r.report("u", p["a"] / 3)
    if u != p["a"] / 3:
        raise ValueError("u must be a third of a")
    r.report("y", p["a"] * 3 + 1)
    r.report("pick", "a")
"""
    assert quantity_feeds(_question(make_question, code))["u"] == ["y"]


def test_the_job_runs_only_when_an_answer_feeds_another_answered_part():
    feeds = {"u": ["y"], "y": [], "pick": []}
    assert carried_forward_needed(feeds, {"u", "y"}, {"u", "y"})
    assert not carried_forward_needed(feeds, {"u"}, {"u"})
    assert not carried_forward_needed(feeds, {"y", "pick"}, {"y"})
    assert carried_forward_needed(None, {"y"}, {"y"})
    assert not carried_forward_needed(None, set(), set())
    assert carried_forward_needed({"y": []}, {"u"}, {"y"})

"""`validate_question` types each reference the way its rule asks, down to tiny values."""

from __future__ import annotations

from question_engine import load_question, validate_question

TOML = """
title = "Tiny values"
topic = "Testing"
source = "not from a seed paper"

[[parts]]
label = "leak"
marks = 1
kind = "number"
prompt = "Leak current."
rule = { tolerance = { rel = 0.01 } }

[[parts]]
label = "count"
marks = 1
kind = "number"
prompt = "Operations, to 3 significant figures."
rule = { written_sf = 3 }

[[parts]]
label = "outputs"
marks = 1
kind = "vector"
prompt = "Outputs, to 3 significant figures."
rule = { written_sf = 3 }
"""
SOLVER = """
def generate(rng):
    return {"a": float(rng.uniform(2, 9))}


def solve(p, r):
    r.report("leak", 3e-14 * p["a"])
    r.report("count", 99537.0 * p["a"])
    r.report("outputs", [1.23456 * p["a"], 0.0999 * p["a"]])
"""
SAMPLES = """
[[samples]]
name = "right"
seed = 1
answers = { leak = "0", count = "1", outputs = "[1, 1]" }
expect = { leak = "incorrect", count = "incorrect", outputs = "incorrect" }
"""


def test_tiny_and_written_figure_references_pass_their_own_rules(make_question):
    """A 3e-14 reference under a relative rule is informative (not 'all zero'), and a
    written_sf part's reference is typed to exactly its figures, scalar or array."""
    folder = make_question(
        files={
            "question.toml": TOML,
            "question.py": SOLVER,
            "samples.toml": SAMPLES,
            "solution.md": "Leak {{ q.leak }}.",
        }
    )
    assert validate_question(load_question(folder), seeds=3) == []

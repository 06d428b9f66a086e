"""Authoring checks: options a variant shows twice, formula references, and the source field."""

from __future__ import annotations

import pytest

from question_engine import BankError, load_question, validate_question
from question_engine.choice_options import option_lists, repeated_options
from question_engine.variants import build_variants

CHOICE_TOML = """
title = "Pick the larger"
topic = "Testing"
source = "not from a seed paper"
notes = "A tiny multiple-choice question for the validation tests."

[paper]
a = 2
b = 7

[[parts]]
label = "pick"
marks = 1
kind = "choice"
prompt = "Which option is the larger number?"
rule = { options = ["a", "b", "c"] }
"""
COINCIDING_OPTIONS = """
def generate(rng):
    return {"a": int(rng.integers(1, 4)), "b": int(rng.integers(1, 4))}


def solve(p, r):
    r.report("pick", "c")
"""
DISTINCT_OPTIONS = """
def generate(rng):
    a = int(rng.integers(1, 50))
    return {"a": a, "b": a + int(rng.integers(1, 50))}


def solve(p, r):
    r.report("pick", "c")
"""
STATEMENT = """Which is larger?

- **(a)** {{ a }}
- **(b)** {{ b | num(2) }}
- **(c)** 1000
"""
SAMPLES = """
[[samples]]
name = "right"
paper = true
answers = { pick = "c" }
expect = { pick = "correct" }
"""


def choice_question(make_question, slug, code, statement=STATEMENT):
    files = {
        "question.toml": CHOICE_TOML,
        "question.py": code,
        "statement.md": statement,
        "solution.md": "The largest is 1000.",
        "samples.toml": SAMPLES,
    }
    return load_question(make_question(slug, files=files))


def test_options_shown_twice_fail_validation_naming_the_seed(make_question):
    q = choice_question(make_question, "coinciding", COINCIDING_OPTIONS)
    seeds = list(range(12))
    coinciding = [
        seed
        for seed, variant in zip(seeds, build_variants(q, seeds), strict=True)
        if variant.params["a"] == variant.params["b"]
    ]
    assert coinciding, "the generator should repeat an option within 12 seeds"
    problems = [p for p in validate_question(q, seeds=12) if "same option twice" in p]
    assert len(problems) == len(coinciding)
    for seed, problem in zip(coinciding, problems, strict=True):
        assert problem.startswith(f"bank/coinciding: seed {seed}: part 'pick' shows the same")
        assert "(a) and (b)" in problem and "make generate(rng) keep the options" in problem


def test_distinct_options_pass_validation(make_question):
    q = choice_question(make_question, "distinct", DISTINCT_OPTIONS)
    assert validate_question(q, seeds=6) == []


def test_the_paper_variant_is_checked_too(make_question):
    statement = STATEMENT.replace("{{ b | num(2) }}", "{{ a }}.0")
    q = choice_question(make_question, "paper-twice", DISTINCT_OPTIONS, statement)
    problems = [p for p in validate_question(q, seeds=2) if "same option twice" in p]
    assert problems[0].startswith("bank/paper-twice: paper variant: part 'pick'")
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Yes", "**yes**", True),
        ("the  mean", "The mean", True),
        ("$0.5$", "$0.50$", True),
        ("$16{,}941{,}456$", "16941456", True),
        ("$1/2$", "0.5", True),
        ("$M$", "$N$", False),
        ("$0.5$", "$0.51$", False),
        ("$O(N^2 L)$", "$O(N L^2)$", False),
    ],
)
def test_options_are_the_same_by_text_or_by_value(first, second, same):
    found = option_lists(f"- (a) {first}\n- (b) {second}\n", "statement.md")
    assert repeated_options(found[0]) == ([("a", "b")] if same else [])


def test_option_lists_are_runs_of_labelled_list_items():
    text = (
        "**(a) Layer normalisation.** Text about (a).\n\n"
        "- (a) one\n\n- (b) two\n- (c) three\nA paragraph.\n"
        "- **(a)** four\n- **(b)** five\n"
        "- (a) alone\n"
    )
    lists = option_lists(text, "statement.md")
    assert [found.options for found in lists] == [
        {"a": "one", "b": "two", "c": "three"},
        {"a": "four", "b": "five"},
    ]


FORMULA_TOML = """
title = "A formula"
topic = "Testing"
source = "not from a seed paper"

[[parts]]
label = "f"
marks = 1
kind = "formula"
prompt = "Write $f(k)$."
rule = { variables = ["k"] }
"""


def test_a_reference_formula_undefined_everywhere_fails_validation(make_question):
    code = "def generate(rng):\n    return {}\n\ndef solve(p, r):\n    r.report('f', 'ln(-k)')\n"
    files = {
        "question.toml": FORMULA_TOML,
        "question.py": code,
        "statement.md": "Find f.",
        "solution.md": "ln(-k)",
    }
    q = load_question(make_question("bad-formula", files=files))
    problems = validate_question(q, seeds=2)
    expected = (
        "bank/bad-formula/question.py: seed 0: part 'f': the reference formula 'ln(-k)' can be "
        "evaluated at only 0 of 60 sample points (it takes the logarithm of zero or of a "
        "negative number); fix the formula or the rule's 'domain'"
    )
    assert expected in problems


@pytest.mark.parametrize(
    "source",
    [
        "002_9ac109d30a929c13.txt Q2",
        "000_d25481c7c13b4295.txt Q3(b)",
        "002_9ac109d30a929c13.txt Q4(c)(i)",
        "003_b1cd617f2382e0e3.txt Q2-Q4",
        "002_9ac109d30a929c13.txt Q1; 004_8c4555ac3fe76c6d.txt Q1",
        "not from a seed paper",
    ],
)
def test_documented_source_forms_load(make_question, minimal_files, source):
    toml = minimal_files["question.toml"].replace('"not from a seed paper"', f'"{source}"')
    assert load_question(make_question(files={"question.toml": toml})).source == source


@pytest.mark.parametrize(
    "source",
    [
        "002_9ac109d30a929c13.txt Q1 (same exam as 004_8c4555ac3fe76c6d.txt Q1)",
        "002_9ac109d30a929c13.txt",
        "002_9ac109d30a929c13.txt Q",
        "002_9ac109d30a929c13.txt q2",
        "002.txt Q2",
        "Q2 of seed 002",
        "made up",
        "002_9ac109d30a929c13.txt Q2;004_8c4555ac3fe76c6d.txt Q2",
        "002_9ac109d30a929c13.txt Q2\\n",
    ],
)
def test_malformed_source_is_rejected_with_the_expected_form(make_question, minimal_files, source):
    toml = minimal_files["question.toml"].replace('"not from a seed paper"', f'"{source}"')
    folder = make_question(files={"question.toml": toml})
    with pytest.raises(BankError) as raised:
        load_question(folder)
    message = str(raised.value)
    assert message.startswith('bank/tiny/question.toml: source must be "<seed file> Q<n>"')
    assert "put any remark in notes" in message

"""Building variants and validating questions through the real sandbox."""

from __future__ import annotations

import pytest

from question_engine import (
    BankError,
    build_variant,
    carried_forward_values,
    load_question,
    validate_question,
)


def test_build_variant_renders_texts_and_reference(make_question):
    q = load_question(make_question())
    variant = build_variant(q, seed=5)
    a = variant.params["a"]
    assert variant.statement_md == f"Let $a = {a}$."
    assert variant.part_prompts == {"y": "Compute $y$."}
    assert variant.reference.exact == {"y": pytest.approx(a + 1)}
    assert variant.quantities["u"] == pytest.approx(a / 3)
    assert variant.solution_md == f"$y = {a + 1:.2f}$"


def test_seeds_are_deterministic(make_question):
    q = load_question(make_question())
    assert build_variant(q, seed=11).params == build_variant(q, seed=11).params


def test_build_needs_exactly_one_of_seed_and_paper(make_question):
    q = load_question(make_question())
    with pytest.raises(ValueError, match="exactly one"):
        build_variant(q)
    with pytest.raises(BankError, match=r"no \[paper\] table"):
        build_variant(q, paper=True)


def test_carried_forward_values_use_the_students_answer(make_question):
    q = load_question(make_question())
    assert carried_forward_values(q, {"a": 6.0}, {"u": 5.0}) == {"u": 2.0, "y": 16.0}


def test_missing_quantity_is_reported(make_question, minimal_files):
    toml = minimal_files["question.toml"].replace('label = "y"', 'label = "y"\nquantity = "z"')
    q = load_question(make_question(files={"question.toml": toml}))
    with pytest.raises(BankError, match="solve\\(\\) never reports 'z'"):
        build_variant(q, seed=1)


def test_validation_flags_templates_degenerate_and_duplicate_variants(make_question):
    code = (
        "def generate(rng):\n    return {'a': 0.0}\n\ndef solve(p, r):\n    r.report('y', p['a'])\n"
    )
    q = load_question(make_question(files={"question.py": code}))
    problems = validate_question(q, seeds=3)
    assert any("samples.toml: no samples" in p for p in problems)
    assert any("all-zero answer" in p for p in problems)
    assert any("too many identical variants (seed 1 repeats seed 0" in p for p in problems)


def test_validation_reports_failing_code_and_templates(make_question):
    broken = load_question(make_question("broken", files={"question.py": "def generate(:\n"}))
    assert any("running the question failed" in p for p in validate_question(broken, seeds=2))
    bad_template = load_question(make_question("template", files={"solution.md": "{{ nope }}"}))
    problems = validate_question(bad_template, seeds=2)
    assert any("bank/template/solution.md: template failed to render" in p for p in problems)


FRAGILE_SOLVER = """
def generate(rng):
    return {"a": float(rng.integers(2, 9))}


def solve(p, r):
    u = r.report("u", p["a"] / 3)
    v = r.report("v", p["a"] / u)
    r.report("w", [v] * int(v))
    r.report("y", v + 1)
"""


def test_a_solve_that_raises_on_the_students_answers_carries_forward_what_came_before(
    make_question,
):
    q = load_question(make_question(files={"question.py": FRAGILE_SOLVER}))
    assert carried_forward_values(q, {"a": 6.0}, {"u": 0.0}) == {"u": 2.0}
    assert carried_forward_values(q, {"a": 6.0}, {"u": 1.0, "v": 2}) == {
        "u": 2.0,
        "v": 6.0,
        "w": [2.0, 2.0],
        "y": 3.0,
    }


def test_a_job_that_fails_on_the_students_answers_carries_nothing_forward(make_question):
    q = load_question(make_question(files={"question.py": FRAGILE_SOLVER}))
    assert carried_forward_values(q, {"a": 6.0}, {"v": 3e6}) == {}

"""Perturbed solver runs: the job's pieces in-process, the whole path through the sandbox."""

from __future__ import annotations

import math

import numpy as np
import pytest

import grader
from question_engine import (
    BankError,
    build_variant,
    build_variants,
    load_question,
    marking_values,
    validate_question,
)
from question_engine.alternatives import feedback
from question_engine.definition import PerturbationSettings
from question_engine.jobs import PERTURBED_QUESTION_JOB, job_source
from question_engine.jobs.perturbations import (
    Perturbation,
    candidates,
    rounded_like,
    swapped_namespace,
    zeros_like,
)
from question_engine.jobs.question import Reporter
from tests.grader.test_messages import _sentence_problems

SOLVER = """
import math

import numpy as np
from numpy import log


def generate(rng):
    return {"W": [[1.0, 2.0], [0.5, -1.5]], "x": [1.0, 2.0], "angle": 0.5, "b": 0.25}


def squash(v):
    return np.log(1.0 + np.exp(v))


def solve(p, r):
    W, x = np.array(p["W"]), np.array(p["x"])
    u = r.report("u", W.T @ x + r.optional("bias", p["b"]))
    s = r.report("s", float(squash(u).sum()))
    t = r.report("t", float(log(s) + math.log(8, 2)))
    c = r.report("c", math.sin(p["angle"]) + np.cos(p["angle"]))
    spread = r.slip("std_for_var", float(np.var(u)), float(np.std(u)))
    r.report("y", t * c + spread)
"""
TOML = """
title = "Perturbed"
topic = "Testing"
source = "not from a seed paper"
{perturbations}
[[parts]]
label = "s"
marks = 1
kind = "number"
prompt = "s"
rule = {{ tolerance = {{ dp = 3 }} }}

[[parts]]
label = "y"
marks = 1
kind = "number"
prompt = "y"
rule = {{ tolerance = {{ dp = 3 }} }}
"""
SLIP_PHRASE = (
    '[perturbations.slips]\nstd_for_var = "using the standard deviation, not the variance"'
)


def by_hand(W, x, angle, b, *, log=math.log, trig_scale=1.0, slip=False):
    """The solver's chain written out again, with the mistakes as options."""
    u = [sum(W[i][j] * x[i] for i in range(2)) + b for j in range(2)]
    s = sum(log(1 + math.exp(v)) for v in u)
    t = log(s) + 3.0
    c = math.sin(angle * trig_scale) + math.cos(angle * trig_scale)
    mean = sum(u) / 2
    variance = sum((v - mean) ** 2 for v in u) / 2
    return s, t * c + (math.sqrt(variance) if slip else variance)


PARAMS = {"W": [[1.0, 2.0], [0.5, -1.5]], "x": [1.0, 2.0], "angle": 0.5, "b": 0.25}


def files(perturbations: str = SLIP_PHRASE, solver: str = SOLVER) -> dict[str, str]:
    return {
        "question.py": solver,
        "question.toml": TOML.format(perturbations=perturbations),
        "statement.md": "With $x = {{ x }}$.",
        "solution.md": "$y = {{ q.y | num(3) }}$",
    }


def question(make_question, perturbations: str = SLIP_PHRASE):
    return load_question(make_question(files=files(perturbations)))


# --- the job's pieces, in-process -----------------------------------------------------------


def test_rounding_keeps_the_type_and_rounds_half_away_from_zero():
    assert rounded_like(0.125, "dp", 2) == 0.13
    assert rounded_like(-0.125, "dp", 2) == -0.13
    assert rounded_like(0.0018707, "sf", 2) == pytest.approx(0.0019)
    assert rounded_like(320128.0, "sf", 2) == 320000.0
    assert rounded_like(7, "sf", 1) == 7
    array = rounded_like(np.array([1.234, -5.678]), "dp", 1)
    assert array.dtype == np.float64 and array.tolist() == [1.2, -5.7]
    assert isinstance(rounded_like(np.float32(1.26), "dp", 1), np.float32)


def test_zeros_keep_the_type_and_shape():
    assert zeros_like(0.3) == 0.0 and isinstance(zeros_like(0.3), float)
    assert zeros_like(np.ones((2, 3))).shape == (2, 3)
    assert zeros_like([1.0, 2.0]).tolist() == [0.0, 0.0]


def test_a_swapped_namespace_reaches_modules_bound_names_and_helpers():
    namespace: dict = {"__name__": "question"}
    exec(compile(SOLVER, "question.py", "exec"), namespace)
    swap = Perturbation("log10_for_ln", "log_base", setting=("log", "log10"))
    swapped = swap.namespace(namespace)
    assert swapped["np"].log is np.log10
    assert swapped["log"] is np.log10
    assert swapped["math"].log(100.0) == pytest.approx(2.0)
    assert swapped["math"].log(8, 2) == pytest.approx(3.0)
    assert swapped["squash"](0.0) == pytest.approx(math.log10(2.0))
    assert namespace["squash"](0.0) == pytest.approx(math.log(2.0))
    assert swapped["np"].linalg is np.linalg
    degrees = Perturbation("degrees", "degrees").namespace(namespace)
    assert degrees["math"].sin(90.0) == pytest.approx(1.0)
    assert degrees["np"].cos(np.array([180.0])).tolist() == pytest.approx([-1.0])


def test_swapped_namespace_leaves_the_real_modules_alone():
    swapped_namespace({"np": np, "math": math}, {"numpy": {"log": np.log10}})
    assert np.log(np.e) == pytest.approx(1.0)


def test_candidates_skip_what_cannot_change():
    quantities = {"z": 0.0, "label": "A", "n": 4, "v": [0.5, 0.25], "w": [0.123, 2.0]}
    params = {"S": [[1.0, 2.0], [2.0, 1.0]], "A": [[1.0, 2.0], [3.0, 4.0]], "R": [[1.0, 2.0]]}
    names = [p.name for p in candidates(quantities, ["bias"], ["slip1"], params)]
    assert names[:2] == ["slip:slip1", "forgot:bias"]
    assert "transpose:A" in names and "transpose:R" in names and "transpose:S" not in names
    assert {"sign:n", "sign:v", "sign:w"} <= set(names)
    assert "sign:z" not in names and "sign:label" not in names
    assert "round_2dp:w" in names and "round_2sf:w" in names
    assert "round_2dp:v" not in names and "round_2sf:n" not in names


def test_the_reporter_applies_a_perturbation_at_its_target_only():
    flip = Reporter("exact", perturbation=Perturbation("sign:a", "sign", "a"))
    assert flip.report("a", 2.0) == -2.0
    assert flip.report("b", 3.0) == 3.0
    assert flip.quantities == {"a": -2.0, "b": 3.0}
    forgot = Reporter("exact", perturbation=Perturbation("forgot:bias", "optional", "bias"))
    assert forgot.optional("bias", 0.5) == 0.0
    assert forgot.optional("other", 0.5) == 0.5
    assert Reporter("exact").optional("bias", 0.5) == 0.5
    assert Reporter("rounded").slip("s", 1.0, 2.0) == 1.0


def test_optional_and_slip_need_an_identifier():
    with pytest.raises(ValueError, match="identifier such as 'bias'"):
        Reporter("exact").optional("the bias", 0.5)
    with pytest.raises(ValueError, match="slip\\(\\) needs an identifier"):
        Reporter("exact").slip("", 1.0, 2.0)


def bundle() -> dict:
    """The question job exactly as the sandbox runs it, loaded in-process."""
    namespace: dict = {"__name__": "bundle"}
    exec(compile(job_source(PERTURBED_QUESTION_JOB), "bundle.py", "exec"), namespace)
    return namespace


def test_the_step_is_the_first_reported_quantity_that_changed():
    job = bundle()
    found = job["harness_perturbations"](
        SOLVER, PARAMS, {"s": 3, "y": 3}, {"asked": ["s", "y"], "off": []}
    )
    chains = {chain["name"]: chain for chain in found["chains"]}
    assert (chains["log10_for_ln"]["step"], chains["log10_for_ln"]["at"]) == (2, "s")
    assert (chains["degrees"]["step"], chains["degrees"]["at"]) == (4, "c")
    assert (chains["forgot:bias"]["step"], chains["forgot:bias"]["at"]) == (1, "u")
    assert (chains["slip:std_for_var"]["step"], chains["slip:std_for_var"]["at"]) == (5, "y")
    assert "s" not in chains["round_2dp:s"]["values"] and "y" in chains["round_2dp:s"]["values"]
    assert "sign:s" not in chains  # log of a negative s: not finite, dropped
    assert found["optional"] == ["bias"] and found["slips"] == ["std_for_var"]


# --- the whole path, through the real sandbox -----------------------------------------------


def test_build_stores_named_alternatives_computed_like_by_hand(make_question):
    q = question(make_question)
    variant = build_variant(q, seed=1)
    alternatives = variant.reference.alternatives
    _, y_log10 = by_hand(**PARAMS, log=math.log10)
    _, y_degrees = by_hand(**PARAMS, trig_scale=math.pi / 180)
    s_no_bias, y_no_bias = by_hand(**{**PARAMS, "b": 0.0})
    _, y_slip = by_hand(**PARAMS, slip=True)
    assert alternatives["y"]["log10_for_ln"]["value"] == pytest.approx(y_log10)
    assert alternatives["y"]["degrees"]["value"] == pytest.approx(y_degrees)
    assert alternatives["s"]["forgot:bias"]["value"] == pytest.approx(s_no_bias)
    assert alternatives["y"]["forgot:bias"]["value"] == pytest.approx(y_no_bias)
    assert alternatives["y"]["slip:std_for_var"]["value"] == pytest.approx(y_slip)
    assert alternatives["y"]["slip:std_for_var"]["feedback"] == (
        "Your y matches the answer you get using the standard deviation, not the variance "
        "(first wrong at step 5, y)."
    )
    assert alternatives["s"]["forgot:bias"]["feedback"] == (
        "Your s matches the answer you get leaving out the bias term (first wrong at step 1, u)."
    )
    assert "transpose:W" in alternatives["y"]
    assert "round_2sf:s" not in alternatives["s"] and "round_2sf:s" in alternatives["y"]


def test_a_student_answer_matching_a_perturbed_chain_is_named(make_question):
    q = question(make_question)
    variant = build_variant(q, seed=1)
    _, y_degrees = by_hand(**PARAMS, trig_scale=math.pi / 180)
    spec = q.part("y").spec()
    result = grader.mark_part(spec, variant.reference, f"{y_degrees:.3f}")
    assert result.mistakes == ("degrees",)
    assert result.feedback == (
        "Your y matches the answer you get with angles read in degrees instead of radians "
        "(first wrong at step 4, c)."
    )


def test_a_run_that_never_finishes_is_dropped_in_the_sandbox(make_question, minimal_files):
    looping = (
        "def generate(rng):\n    return {'a': 2.0}\n\n"
        "def solve(p, r):\n    a = r.report('a', p['a'])\n    n = 0\n"
        "    while n * a < 10:\n        n += 1\n    r.report('y', n + a / 3)\n"
    )
    folder = {**minimal_files, "question.py": looping, "statement.md": "{{ a }}"}
    variant = build_variant(load_question(make_question(files=folder)), seed=0)
    assert variant.reference.exact == {"y": pytest.approx(5 + 2 / 3)}
    assert "sign:a" not in variant.reference.alternatives.get("y", {})


def test_off_turns_families_and_single_perturbations_off(make_question):
    table = SLIP_PHRASE.replace(
        "[perturbations.slips]",
        '[perturbations]\noff = ["sign", "degrees", "forgot:bias"]\n\n[perturbations.slips]',
    )
    alternatives = build_variant(question(make_question, table), seed=1).reference.alternatives
    names = set(alternatives["y"])
    assert "log10_for_ln" in names and "slip:std_for_var" in names
    assert not any(name.startswith("sign:") for name in names)
    assert "degrees" not in names and "forgot:bias" not in names


def test_off_all_and_a_build_without_perturbations_store_no_alternatives(make_question):
    table = SLIP_PHRASE.replace(
        "[perturbations.slips]", '[perturbations]\noff = ["all"]\n\n[perturbations.slips]'
    )
    q = question(make_question, table)
    assert build_variant(q, seed=1).reference.alternatives == {}
    plain = build_variants(q, [1], perturbations=False)[0]
    assert plain.reference.alternatives is None and plain.perturbations is None


def test_marking_a_variant_stored_without_alternatives_computes_them(make_question):
    q = question(make_question)
    built = build_variant(q, seed=1)
    stored = grader.Reference(exact=built.reference.exact, rounded=built.reference.rounded)
    carried, alternatives = marking_values(q, built.params, {"s": 1.0}, stored)
    assert carried["s"] == pytest.approx(built.quantities["s"])
    assert alternatives == built.reference.alternatives
    assert marking_values(q, built.params, {"s": 1.0})[1] is None


def test_when_the_students_answers_break_the_job_its_alternatives_still_come(make_question):
    solver = SOLVER.replace('    r.report("y"', '    r.report("w", [s] * int(s))\n    r.report("y"')
    q = load_question(make_question(files=files(solver=solver)))
    built = build_variant(q, seed=1)
    stored = grader.Reference(exact=built.reference.exact, rounded=built.reference.rounded)
    carried, alternatives = marking_values(q, built.params, {"s": 3e6}, stored)
    assert carried == {}
    assert alternatives == built.reference.alternatives and alternatives


def test_validation_reports_slips_without_phrases_and_unknown_off_entries(make_question):
    q = question(make_question, '[perturbations]\noff = ["sign:nothing"]\n')
    notes: list[str] = []
    problems = validate_question(q, seeds=2, notes=notes)
    assert any(
        "r.slip('std_for_var', ...) has no phrase; add [perturbations] slips.std_for_var" in p
        for p in problems
    )
    assert any("off: 'sign:nothing' matches no perturbation of any variant" in p for p in problems)


def test_validation_notes_perturbations_that_give_the_right_answer(make_question):
    solver = SOLVER.replace(
        '    r.report("y"', '    r.report("q", float(np.sum(u**2) + 1e-6 * u[0]))\n    r.report("y"'
    )
    folder = files(solver=solver)
    folder["question.toml"] = folder["question.toml"].replace(
        'label = "s"', 'label = "s"\nquantity = "q"'
    )
    notes: list[str] = []
    validate_question(load_question(make_question(files=folder)), seeds=2, notes=notes)
    assert any(
        "perturbation 'sign:u' gives an answer accepted as right (part s in seed 0, seed 1)" in n
        for n in notes
    ), notes


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[perturbations]\noff = ["sgn:u"]', "off: 'sgn:u' names no perturbation; write a family"),
        ('[perturbations]\noff = "sign"', "off must be a list of strings"),
        ('[perturbations]\ncolour = "red"', r"unknown field\(s\) colour"),
        ('[perturbations.slips]\nx = ""', "slips.x must be a phrase that completes"),
        ('[perturbations.optional]\n"a b" = "x"', "optional: 'a b' must be the identifier"),
    ],
)
def test_the_perturbations_table_is_checked_when_loading(make_question, table, message):
    with pytest.raises(BankError, match=message):
        load_question(make_question(files=files(table)))


@pytest.mark.parametrize(
    "chain",
    [
        {"name": "log10_for_ln", "family": "log_base", "target": None},
        {"name": "log2_for_ln", "family": "log_base", "target": None},
        {"name": "ln_for_log10", "family": "log_base", "target": None},
        {"name": "ln_for_log2", "family": "log_base", "target": None},
        {"name": "degrees", "family": "degrees", "target": None},
        {"name": "transpose:W1", "family": "transpose", "target": "W1"},
        {"name": "sign:h1", "family": "sign", "target": "h1"},
        {"name": "round_2dp:h1", "family": "early_rounding", "target": "h1"},
        {"name": "round_2sf:h1", "family": "early_rounding", "target": "h1"},
        {"name": "forgot:bias", "family": "optional", "target": "bias"},
        {"name": "forgot:l2_penalty", "family": "optional", "target": "l2_penalty"},
        {"name": "slip:variance_for_std", "family": "slip", "target": "variance_for_std"},
    ],
)
def test_every_perturbation_feedback_is_a_proofread_sentence(chain):
    """Each family's feedback, with the author's phrases and without, reads as a sentence that
    names the mistake and the step and states no value."""
    with_phrases = PerturbationSettings(
        slips={"variance_for_std": "using the variance where the standard deviation is needed"},
        optional={"bias": "leaving out the bias b"},
    )
    for settings in (PerturbationSettings(), with_phrases):
        text = feedback("J", {**chain, "step": 3, "at": "h2"}, settings)
        assert _sentence_problems(text) == [], text
        assert text.endswith("(first wrong at step 3, h2)."), text


def test_perturbations_that_are_the_same_calculation_are_named_once(make_question):
    """For h between 0.1 and 1, rounding to 2 decimal places and to 2 significant figures is
    one calculation: the answer it gives is named once (by the first), not as two mistakes."""
    folder = make_question(
        files={
            "question.toml": """
title = "Rounding"
topic = "Testing"
source = "not from a seed paper"

[[parts]]
label = "y"
marks = 1
kind = "number"
prompt = "Compute $y$."
rule = { tolerance = { dp = 4 } }
""",
            "question.py": """
def generate(rng):
    return {"a": float(rng.uniform(0.2, 0.9))}


def solve(p, r):
    h = r.report("h", p["a"] * 0.987654)
    r.report("y", 3 * h + 1)
""",
            "solution.md": "y = {{ q.y }}",
        }
    )
    variant = build_variant(load_question(folder), seed=4)
    named = variant.reference.alternatives["y"]
    assert "round_2dp:h" in named and "round_2sf:h" not in named
    h = variant.quantities["h"]
    assert named["round_2dp:h"]["value"] == pytest.approx(3 * round(h, 2) + 1)

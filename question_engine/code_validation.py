"""Checking code parts before use: the shipped solution scores full marks and every known wrong
solution fails exactly the tests it declares (on their own checks: a property test that fails
only because the values it qualifies are wrong is not counted), with its hint, on real variants
in the sandbox, and every shipped cheat earns nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from grader.code import ReferenceRunError
from grader.code.scoring import judge_tests
from grader.code.spec import COMPARED_CHECKS
from grader.code.syntax import syntax_problem
from question_engine.code_parts import CodePart, code_parts
from question_engine.code_runs import held_out_labels, mark_code_part, prepare_runs
from question_engine.definition import QuestionDefinition
from question_engine.errors import BankError

CODE_VALIDATION_VARIANTS = 3
"""Variants (paper first, then seeds) on which code parts are run: each costs several jobs."""


def code_part_problems(
    q: QuestionDefinition, variants: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[str]:
    """Problems of every code part of `q` on the first few of `variants` (name, params)."""
    problems: list[str] = []
    for part in code_parts(q):
        for name, params in variants[:CODE_VALIDATION_VARIANTS]:
            try:
                problems += _variant_problems(q, part, name, params)
            except (BankError, ReferenceRunError) as exc:
                problems.append(f"{part.where}: {name}: {exc}")
    return problems


def _variant_problems(
    q: QuestionDefinition, part: CodePart, name: str, params: Mapping[str, Any]
) -> list[str]:
    at = f"{part.where}: {name}"
    problems: list[str] = []
    tests = part.tests(params)
    part.entry(params)
    starter_problem = syntax_problem(part.starter(params))
    if starter_problem:
        problems.append(f"{at}: the starter code does not parse: {starter_problem}")
    solution = mark_code_part(q, part.label, params, part.solution)
    if solution.status != "correct":
        problems.append(
            f"{at}: the shipped solution gets {solution.status} "
            f"({solution.score:g}/{solution.max_score:g}):\n{solution.feedback}"
        )
    for wrong in part.wrong_for(tests):
        runs = prepare_runs(q, part.label, params, wrong.source)
        if runs.student.load_error is not None or runs.student.failure:
            problems.append(f"{at}: wrong solution '{wrong.name}' does not run to the end")
            continue
        outcomes = judge_tests(
            tests,
            runs.student,
            runs.authors.reference,
            runs.authors.wrong,
            held_out_labels(tests, params),
        )
        failed = {
            outcome.test.name
            for outcome in outcomes
            if not outcome.passed and not outcome.unqualified
        }
        if failed != set(wrong.fails):
            problems.append(
                f"{at}: wrong solution '{wrong.name}' fails {sorted(failed) or 'no test'}, "
                f"but declares fails = {sorted(wrong.fails)}"
            )
        hinted = [
            outcome
            for outcome in outcomes
            if outcome.test.check in COMPARED_CHECKS
            and not outcome.passed
            and runs.student.observed(outcome.test.name) is not None
        ]
        if wrong.hint and hinted and not any(wrong.hint in o.hints for o in hinted):
            problems.append(f"{at}: wrong solution '{wrong.name}' never earns its own hint")
    for cheat in part.cheats:
        result = mark_code_part(q, part.label, params, cheat.source)
        if result.score != 0.0:
            problems.append(
                f"{at}: cheat '{cheat.name}' ({cheat.attack}) earns "
                f"{result.score:g}/{result.max_score:g}; it must earn nothing:\n{result.feedback}"
            )
    return problems

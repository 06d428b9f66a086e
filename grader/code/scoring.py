"""Turning the harness runs of a submission, the reference and known wrong solutions into a mark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code.checks import HIDDEN, Verdict, judge
from grader.code.runs import CodeRun, error_lines, error_text
from grader.code.spec import COMPARED_CHECKS, SELF_CHECKS, CodeTest
from grader.types import PartResult

MAX_STDOUT_CHARS = 2000
MAX_MESSAGE_CHARS = 1500
"""A test's message is cut here (it may quote names the submission chose)."""
UNREADABLE = (
    TypeError,
    ValueError,
    OverflowError,
    KeyError,
    AttributeError,
    IndexError,
    RecursionError,
)
"""What judging malformed observations from a submission's process can raise."""


class ReferenceRunError(RuntimeError):
    """The reference implementation failed a test: the question, not the student, is at fault."""


@dataclass(frozen=True)
class WrongRun:
    """A known wrong solution's run and the hint a matching submission should see."""

    name: str
    hint: str
    run: CodeRun


@dataclass(frozen=True)
class TestOutcome:
    test: CodeTest
    passed: bool
    message: str = ""
    hints: tuple[str, ...] = ()
    unqualified: bool = False
    """Failed only because values it qualifies are wrong (its own property held)."""

    @property
    def score(self) -> float:
        return self.test.points if self.passed else 0.0

    def as_detail(self, hidden_number: int | None) -> dict[str, Any]:
        """The student-facing record; a hidden test shows only pass/fail and points."""
        return {
            "name": self.test.name if hidden_number is None else f"hidden test {hidden_number}",
            "visibility": self.test.visibility,
            "passed": self.passed,
            "points": self.score,
            "max_points": self.test.points,
            "message": "" if hidden_number is not None else self.message,
            "hints": [] if hidden_number is not None else list(self.hints),
        }


def mark_code_tests(
    label: str,
    marks: float,
    tests: Sequence[CodeTest],
    student: CodeRun,
    reference: CodeRun,
    wrong: Sequence[WrongRun] = (),
    *,
    visible_only: bool = False,
    labels: np.ndarray | None = None,
) -> PartResult:
    """The part's result: passed points scaled to `marks`, with per-test feedback and details.

    `labels` are the held-out labels `training` tests score the submission's outputs against.
    With `visible_only`, only the visible tests are judged and the result reports their points
    out of the visible points (status `visible_tests_passed` or `visible_tests_failed`), never
    a mark for the part.
    """
    chosen = [test for test in tests if not (visible_only and test.hidden)]
    if student.format_error and student.load_error is not None:
        message = (
            "Your code could not be loaded, so no test ran (this costs no attempt): "
            + error_text(student.load_error)
        )
        most = sum(test.points for test in chosen) if visible_only else marks
        lines = tuple(error_lines(student, []))
        return PartResult(label, 0.0, most, "format_error", message, error_lines=lines)
    outcomes = judge_tests(chosen, student, reference, wrong, labels)
    lines = tuple(error_lines(student, [test.name for test in chosen if not test.hidden]))
    available = sum(test.points for test in chosen)
    earned = sum(outcome.score for outcome in outcomes)
    details = _details(outcomes)
    feedback = _feedback(outcomes, details, student.stdout, visible_only)
    if visible_only:
        status = "visible_tests_passed" if earned >= available else "visible_tests_failed"
        return PartResult(
            label, earned, available, status, feedback, details=tuple(details), error_lines=lines
        )
    score = round(marks * earned / available, 6) if available else 0.0
    status = (
        "correct" if earned >= available else "partially_correct" if earned > 0 else "incorrect"
    )
    return PartResult(
        label, score, marks, status, feedback, details=tuple(details), error_lines=lines
    )


def judge_tests(
    tests: Sequence[CodeTest],
    student: CodeRun,
    reference: CodeRun,
    wrong: Sequence[WrongRun] = (),
    labels: np.ndarray | None = None,
) -> list[TestOutcome]:
    """Each test's outcome (pass/fail, message, hints) for a submission that loaded.

    A test earns its points only together with the tests it depends on (see
    `_unmet_qualifiers`), so that code computing nothing earns nothing.
    """
    own = {
        test.name: _outcome(
            test, student, reference, wrong, labels, _elsewhere(test, tests, student)
        )
        for test in tests
    }
    return [_qualified(own[test.name], tests, own) for test in tests]


def _elsewhere(
    test: CodeTest, tests: Sequence[CodeTest], student: CodeRun
) -> list[tuple[str, Mapping[str, Any]]]:
    """The other tests' observations, each named as the student may see it."""
    found = []
    for other in tests:
        observed = student.observed(other.name)
        if other is not test and isinstance(observed, Mapping):
            found.append((HIDDEN if other.hidden else f"test `{other.name}`", observed))
    return found


def _unmet_qualifiers(
    test: CodeTest, tests: Sequence[CodeTest], own: dict[str, TestOutcome]
) -> list[CodeTest]:
    """The qualifying tests that keep `test` from earning its points (empty: none do).

    With `qualifies`, every named test that ran must pass. A property check without it needs
    at least one value test of the run to pass: code that computes nothing earns nothing, and
    one wrong value does not also cost a property that holds.
    """
    ran = {other.name: other for other in tests}
    if test.qualifies is not None:
        named = [ran[name] for name in test.qualifies if name in ran]
        return [other for other in named if not own[other.name].passed]
    if test.check not in SELF_CHECKS:
        return []
    values = [other for other in tests if other.check in COMPARED_CHECKS]
    if not values or any(own[other.name].passed for other in values):
        return []
    return values


def _qualified(
    outcome: TestOutcome, tests: Sequence[CodeTest], own: dict[str, TestOutcome]
) -> TestOutcome:
    if not outcome.passed:
        return outcome
    failed = _unmet_qualifiers(outcome.test, tests, own)
    if not failed:
        return outcome
    names = ", ".join(
        sorted({"a hidden test" if other.hidden else f"`{other.name}`" for other in failed})
    )
    if outcome.test.qualifies is not None:
        message = (
            f"this test earns its points only together with the tests it depends on, and "
            f"{names} failed: make those pass first."
        )
    else:
        message = (
            "this check earns its points only together with right values, and no value test "
            f"passed ({names} failed): make the values right first."
        )
    return TestOutcome(outcome.test, False, message, (), unqualified=True)


def _outcome(
    test: CodeTest,
    student: CodeRun,
    reference: CodeRun,
    wrong: Sequence[WrongRun],
    labels: np.ndarray | None,
    elsewhere: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> TestOutcome:
    expected = reference.observed(test.name)
    if expected is None:
        raise ReferenceRunError(
            f"the reference implementation fails test '{test.name}': {reference.problem(test.name)}"
        )
    try:
        problem = student.problem(test.name)
        if problem is not None:
            return TestOutcome(test, False, problem[:MAX_MESSAGE_CHARS], _declared_hint(test))
        observed = student.observed(test.name)
        verdict: Verdict = judge(test, observed, expected, labels, elsewhere)
    except UNREADABLE as exc:
        # The observations come from a process the submission controls: data our judging
        # cannot take (a 400-digit number, a list where a name belongs) fails this test alone.
        message = f"the results of this test could not be read ({type(exc).__name__})."
        return TestOutcome(test, False, message, _declared_hint(test))
    if verdict.passed:
        return TestOutcome(test, True)
    try:
        matching = _matching_hints(test, observed, wrong)
    except UNREADABLE:
        matching = []
    hints = [*matching, *_declared_hint(test)]
    return TestOutcome(
        test,
        False,
        verdict.message[:MAX_MESSAGE_CHARS],
        tuple(dict.fromkeys(hints)),
        unqualified=verdict.values_wrong,
    )


def _declared_hint(test: CodeTest) -> tuple[str, ...]:
    return (test.hint,) if test.hint else ()


def _matching_hints(test: CodeTest, observed: Any, wrong: Sequence[WrongRun]) -> list[str]:
    """Hints of the known wrong solutions whose output this submission reproduces."""
    if test.check not in COMPARED_CHECKS:
        return []
    hints = []
    for known in wrong:
        theirs = known.run.observed(test.name)
        if theirs is not None and known.hint and judge(test, observed, theirs).passed:
            hints.append(known.hint)
    return hints


def _details(outcomes: Sequence[TestOutcome]) -> list[dict[str, Any]]:
    details = []
    hidden = 0
    for outcome in outcomes:
        number = None
        if outcome.test.hidden:
            hidden += 1
            number = hidden
        details.append(outcome.as_detail(number))
    return details


def _feedback(
    outcomes: Sequence[TestOutcome],
    details: Sequence[dict[str, Any]],
    stdout: str,
    visible_only: bool,
) -> str:
    passed = sum(1 for outcome in outcomes if outcome.passed)
    earned = sum(outcome.score for outcome in outcomes)
    available = sum(outcome.test.points for outcome in outcomes)
    if visible_only:
        lines = [
            f"Visible tests passed: {passed} of {len(outcomes)} ({earned:g} of {available:g} "
            "visible points). This is not your mark: hidden tests run when you submit."
        ]
    else:
        lines = [f"Tests passed: {passed} of {len(outcomes)} ({earned:g} of {available:g} points)."]
    for detail in details:
        verdict = "passed" if detail["passed"] else "FAILED"
        lines.append(
            f"- {detail['name']}: {verdict} ({detail['points']:g}/{detail['max_points']:g})"
        )
        if detail["message"]:
            lines.extend("    " + line for line in detail["message"].splitlines())
        lines.extend(f"    Hint: {hint}" for hint in detail["hints"])
    if stdout.strip():
        shown = stdout if len(stdout) <= MAX_STDOUT_CHARS else stdout[:MAX_STDOUT_CHARS] + "\n…"
        lines.append("Your code printed:")
        lines.extend("    " + line for line in shown.rstrip().splitlines())
    return "\n".join(lines)

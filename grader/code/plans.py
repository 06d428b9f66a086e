"""What the sandbox job of one test receives: its *plan*, stripped of everything it must not see.

A plan says how to build the inputs and what to observe. It never carries the test's name,
check kind, points, visibility, tolerances, hints or bounds, so code running in the job cannot
learn which property is judged, and a hidden test's grading data never enters a process where
student code runs. Every property is observed on ordinary calls (see
`question_engine/jobs/code_tests.py`).
"""

from __future__ import annotations

from typing import Any

from grader.code.spec import CodeTest

PLAN_KEYS = (
    "method",
    "construct",
    "args",
    "kwargs",
    "set_parameters",
    "seed",
    "dtype",
    "then",
    "training",
)
"""Test fields about building inputs and calling the entry point: the only ones a job sees."""

OBSERVATIONS = {
    "forward": "call",
    "inplace": "call",
    "determinism": "call",
    "gradients": "gradients",
    "symmetric": "gradients",
    "modes": "modes",
    "facts": "setup",
    "training": "training",
}
"""What the job observes for each check; `parameters` depends on whether the test has inputs."""


def plan_for(test: CodeTest, default_entry: str) -> dict[str, Any]:
    """The plan of `test`: its input and call fields, the entry to call and what to observe.

    Determinism tests call twice; everything else calls once (or, for a `parameters` test
    without inputs, only constructs the module).
    """
    plan = {key: test.raw[key] for key in PLAN_KEYS if key in test.raw}
    plan["entry"] = test.raw.get("entry") or default_entry
    if test.check == "parameters":
        plan["observe"] = "call" if "args" in test.raw else "construct"
    else:
        plan["observe"] = OBSERVATIONS[test.check]
    plan["calls"] = 2 if test.check == "determinism" else 1
    return plan

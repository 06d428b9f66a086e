"""A code part's tests as plain data: what each test checks, its points, visibility, tolerance.

The same dicts are shipped to the sandbox harness (which builds the inputs and runs the probes);
this module only reads the fields the trusted side needs and rejects malformed specs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_RTOL = 1e-4
DEFAULT_ATOL = 1e-5
"""Looser than torch.testing's float32 defaults (1.3e-6, 1e-5) so that valid alternative
formulas (e.g. E[x²]−E[x]² for a variance) pass; tests on float64 inputs may tighten them."""

COMPARED_CHECKS = ("forward", "gradients", "modes")
"""Checks whose observations are compared with the reference's (and the wrong solutions')."""
CONSTRAINED_CHECKS = ("facts", "training")
"""Checks whose observations are held against the test's own `expect` bounds."""
SELF_CHECKS = ("parameters", "inplace", "determinism", "symmetric")
"""Property checks, judged on the submission's own observations (the reference's as a guide).
They earn points only together with the value checks they qualify (see `CodeTest.qualifies`)."""
CHECKS = COMPARED_CHECKS + CONSTRAINED_CHECKS + SELF_CHECKS
VISIBILITIES = ("visible", "hidden")
CONSTRAINT_KEYS = ("min", "max", "equals", "one_of")
TEST_KEYS = {
    "name",
    "points",
    "visibility",
    "check",
    "rtol",
    "atol",
    "hint",
    "expect",
    "names",
    "entry",
    "method",
    "construct",
    "args",
    "kwargs",
    "set_parameters",
    "seed",
    "dtype",
    "training",
    "then",
    "time_limit_s",
    "qualifies",
}
MAX_TEST_TIME_LIMIT_S = 60.0
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CodeSpecError(ValueError):
    """A code part's tests spec is malformed; the message names the test and the field."""


@dataclass(frozen=True)
class CodeTest:
    """One test of a code part, as the trusted side needs it."""

    name: str
    points: float
    check: str
    visibility: str = "visible"
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    hint: str = ""
    expect: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)
    time_limit_s: float | None = None
    qualifies: tuple[str, ...] | None = None

    @property
    def hidden(self) -> bool:
        return self.visibility == "hidden"


def parse_code_tests(raw_tests: Any) -> list[CodeTest]:
    """Read the `[[tests]]` array of a code part; raises CodeSpecError naming what is wrong."""
    if not isinstance(raw_tests, list) or not raw_tests:
        raise CodeSpecError("tests must be a non-empty array of [[tests]] tables")
    tests: list[CodeTest] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_tests, start=1):
        test = _parse_test(raw, index)
        if test.name in seen:
            raise CodeSpecError(f"test '{test.name}': the name is used twice; names are unique")
        seen.add(test.name)
        tests.append(test)
    for test in tests:
        unknown = sorted(set(test.qualifies or ()) - seen)
        if unknown:
            raise CodeSpecError(
                f"test '{test.name}': qualifies names unknown test(s) {', '.join(unknown)}"
            )
    return tests


def _parse_test(raw: Any, index: int) -> CodeTest:
    if not isinstance(raw, dict):
        raise CodeSpecError(f"test #{index} must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise CodeSpecError(f"test #{index}: name must be an identifier such as 'values_small'")
    at = f"test '{name}'"
    unknown = sorted(set(raw) - TEST_KEYS)
    if unknown:
        raise CodeSpecError(
            f"{at}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TEST_KEYS))}"
        )
    points = _positive(raw.get("points"), f"{at}: points")
    check = raw.get("check")
    if check not in CHECKS:
        raise CodeSpecError(f"{at}: check must be one of {', '.join(CHECKS)}")
    visibility = raw.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise CodeSpecError(f"{at}: visibility must be 'visible' or 'hidden'")
    rtol = _non_negative(raw.get("rtol", DEFAULT_RTOL), f"{at}: rtol")
    atol = _non_negative(raw.get("atol", DEFAULT_ATOL), f"{at}: atol")
    hint = raw.get("hint", "")
    if not isinstance(hint, str):
        raise CodeSpecError(f"{at}: hint must be a string")
    expect = _expect(raw.get("expect", {}), at)
    if check in CONSTRAINED_CHECKS and not expect:
        raise CodeSpecError(f"{at}: a '{check}' test needs an expect table of bounds")
    names = raw.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CodeSpecError(f"{at}: names must be a list of parameter names")
    if check == "symmetric" and not names:
        raise CodeSpecError(f"{at}: a 'symmetric' test needs names = [the matrix parameters]")
    then = raw.get("then", [])
    if not isinstance(then, list) or not all(isinstance(m, str) for m in then):
        raise CodeSpecError(f"{at}: then must be a list of method names applied to the result")
    if check == "training" and not isinstance(raw.get("training"), dict):
        raise CodeSpecError(f"{at}: a 'training' test needs a training table (epochs, ...)")
    if not isinstance(raw.get("args", []), list):
        raise CodeSpecError(f"{at}: args must be a list of values or input builders")
    time_limit_s = raw.get("time_limit_s")
    if time_limit_s is not None:
        time_limit_s = _positive(time_limit_s, f"{at}: time_limit_s")
        if time_limit_s > MAX_TEST_TIME_LIMIT_S:
            raise CodeSpecError(f"{at}: time_limit_s must be at most {MAX_TEST_TIME_LIMIT_S:g}")
    qualifies = raw.get("qualifies")
    if qualifies is not None and (
        not isinstance(qualifies, list) or not all(isinstance(q, str) for q in qualifies)
    ):
        raise CodeSpecError(f"{at}: qualifies must be a list of test names")
    return CodeTest(
        name=name,
        points=points,
        check=check,
        visibility=visibility,
        rtol=rtol,
        atol=atol,
        hint=hint,
        expect=expect,
        names=tuple(names),
        raw=dict(raw),
        time_limit_s=time_limit_s,
        qualifies=None if qualifies is None else tuple(qualifies),
    )


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise CodeSpecError(f"{where} must be a positive number")
    return float(value)


def _non_negative(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodeSpecError(f"{where} must be a number")
    if not math.isfinite(value) or value < 0:
        raise CodeSpecError(f"{where} must be a finite number >= 0")
    return float(value)


def _expect(raw: Any, at: str) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise CodeSpecError(
            f"{at}: expect must be a table such as {{ accuracy = {{ min = 0.9 }} }}"
        )
    expect: dict[str, dict[str, Any]] = {}
    for fact, bounds in raw.items():
        if not isinstance(bounds, dict) or not bounds:
            raise CodeSpecError(f"{at}: expect.{fact} must be a table of bounds")
        unknown = sorted(set(bounds) - set(CONSTRAINT_KEYS))
        if unknown:
            raise CodeSpecError(
                f"{at}: expect.{fact}: unknown bound(s) {', '.join(unknown)}; "
                f"use {', '.join(CONSTRAINT_KEYS)}"
            )
        for key in ("min", "max"):
            if key in bounds and (
                isinstance(bounds[key], bool) or not isinstance(bounds[key], int | float)
            ):
                raise CodeSpecError(f"{at}: expect.{fact}.{key} must be a number")
        if "one_of" in bounds and not isinstance(bounds["one_of"], list):
            raise CodeSpecError(f"{at}: expect.{fact}.one_of must be a list")
        expect[str(fact)] = dict(bounds)
    return expect


def total_points(tests: Sequence[CodeTest]) -> float:
    return sum(test.points for test in tests)

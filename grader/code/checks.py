"""Judging one test's observations: against the reference, against bounds, or on their own."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code.compare import (
    array_of,
    compare_outputs,
    kind_of,
    values_message,
)
from grader.code.facts import FactsUnreadable, prediction_facts, setup_facts
from grader.code.spec import CodeTest


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    values_wrong: bool = False
    """A property check failed because its call's values are wrong, not the property itself."""


PASSED = Verdict(True)
HIDDEN = "a hidden test"
"""How another test's observations are named when that test is hidden (see `scoring`)."""


def judge(
    test: CodeTest,
    observed: Any,
    reference: Any,
    labels: np.ndarray | None = None,
    elsewhere: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> Verdict:
    """Whether the submission's observations for `test` pass, and a message if not.

    `labels` are the held-out labels a `training` test scores the returned outputs against;
    `elsewhere` holds the observations of the other tests of the same run, each with how to
    name it ("test `values`", "a hidden test"): in-place and parameter checks hold on every
    call of the run, not only on their own, so they cannot be met only while they are judged.
    """
    if not isinstance(observed, Mapping):
        return Verdict(False, "the test produced no readable observations.")
    if test.check == "forward":
        return _verdict(
            compare_outputs(_output(observed), _output(reference), test.rtol, test.atol)
        )
    if test.check == "gradients":
        return _judge_gradients(test, observed, reference)
    if test.check == "modes":
        for mode in ("train", "eval"):
            message = compare_outputs(
                observed.get(mode),
                _get(reference, mode),
                test.rtol,
                test.atol,
                f"output in {mode}() mode",
            )
            if message:
                return Verdict(False, message)
        return PASSED
    if test.check == "parameters":
        return _judge_parameters(test, observed, reference, elsewhere)
    if test.check == "inplace":
        return _judge_inplace(test, observed, reference, elsewhere)
    if test.check == "determinism":
        return _judge_determinism(test, observed, reference)
    if test.check == "symmetric":
        return _judge_symmetric(test, observed, elsewhere)
    try:
        if test.check == "training":
            if labels is None:
                return Verdict(False, "the held-out labels for this training test are missing.")
            kind = test.raw.get("training", {}).get("outputs", "log_probs")
            facts = prediction_facts(observed.get("outputs"), labels, kind)
        else:
            facts = setup_facts(observed.get("setup"))
    except FactsUnreadable as exc:
        return Verdict(False, str(exc))
    return judge_facts(test, facts)


def _output(observations: Any, index: int = 0) -> Any:
    """The plain output of call `index` in a `call`/`gradients` observation, or None."""
    outputs = _get(observations, "outputs")
    if isinstance(outputs, list) and len(outputs) > index:
        return outputs[index]
    return None


def _get(reference: Any, key: str) -> Any:
    return reference.get(key) if isinstance(reference, Mapping) else None


def _verdict(message: str | None) -> Verdict:
    return PASSED if message is None else Verdict(False, message)


def _judge_gradients(test: CodeTest, observed: Mapping[str, Any], reference: Any) -> Verdict:
    message = compare_outputs(_output(observed), _output(reference), test.rtol, test.atol)
    if message:
        return Verdict(False, message)
    inputs, expected_inputs = observed.get("input_grads"), _get(reference, "input_grads")
    if not isinstance(inputs, Mapping) or not isinstance(expected_inputs, Mapping):
        return Verdict(False, "the input gradients could not be read.")
    for index, expected in expected_inputs.items():
        got = inputs.get(index)
        if kind_of(got) == "none" or got is None:
            return Verdict(
                False,
                f"no gradient reached argument {index}: is the output "
                "computed from it with differentiable torch operations?",
            )
        message = compare_outputs(
            got, expected, test.rtol, test.atol, f"gradient w.r.t. argument {index}"
        )
        if message:
            return Verdict(False, message)
    return _judge_parameter_gradients(
        test, observed.get("param_grads"), _get(reference, "param_grads")
    )


def _judge_parameter_gradients(test: CodeTest, got: Any, expected: Any) -> Verdict:
    if not isinstance(got, Mapping) or not isinstance(expected, Mapping):
        return Verdict(False, "the parameter gradients could not be read.")
    if set(expected) <= set(got):
        pairs = [(name, got[name], want) for name, want in expected.items()]
        for name, grad, want in pairs:
            message = _parameter_grad_message(name, grad, want, test)
            if message:
                return Verdict(False, message)
        return PASSED
    unmatched = [grad for grad in got.values() if kind_of(grad) == "tensor"]
    for name, want in expected.items():
        index = next(
            (
                i
                for i, grad in enumerate(unmatched)
                if compare_outputs(grad, want, test.rtol, test.atol) is None
            ),
            None,
        )
        if index is None:
            shape = tuple(want.get("shape", ())) if isinstance(want, Mapping) else ()
            return Verdict(
                False,
                f"no learnable parameter of shape {shape} gets the gradient "
                f"the reference's '{name}' gets: is every parameter registered "
                "(nn.Parameter or a submodule) and used in forward?",
            )
        del unmatched[index]
    return PASSED


def _parameter_grad_message(name: str, grad: Any, want: Any, test: CodeTest) -> str | None:
    if kind_of(grad) == "none":
        return (
            f"parameter '{name}' received no gradient: is it an nn.Parameter and used in forward?"
        )
    return compare_outputs(grad, want, test.rtol, test.atol, f"gradient w.r.t. parameter '{name}'")


def _parameter_rows(value: Any) -> list[tuple[str, tuple[int, ...], bool]] | None:
    if not isinstance(value, list):
        return None
    rows = []
    for row in value:
        if not isinstance(row, Mapping) or not isinstance(row.get("name"), str):
            return None
        shape = row.get("shape")
        if not isinstance(shape, list) or not all(isinstance(n, int) for n in shape):
            return None
        learnable = row.get("requires_grad") is True and row.get("is_parameter", True) is True
        rows.append((row["name"], tuple(shape), learnable))
    return rows


def _judge_parameters(
    test: CodeTest,
    observed: Mapping[str, Any],
    reference: Any,
    elsewhere: Sequence[tuple[str, Mapping[str, Any]]],
) -> Verdict:
    """The registered parameters, as exported by this test's job and by every other job of the
    run that built the module, match the reference's (count, shapes, `names`, learnable)."""
    want = _parameter_rows(_get(reference, "parameters"))
    if want is None:
        return Verdict(False, "the reference's parameters could not be read.")
    runs = [("this test", observed)] + [
        (label, other) for label, other in elsewhere if "parameters" in other
    ]
    for label, observations in runs:
        got = _parameter_rows(observations.get("parameters"))
        if got is None:
            return Verdict(
                False,
                "the registered parameters could not be read: is the entry point an nn.Module "
                "subclass whose parameters are created in __init__?",
            )
        message = _parameters_message(test, got, want)
        if message and label == HIDDEN:
            # Names chosen in a hidden test's process could carry its inputs: say nothing more.
            return Verdict(
                False,
                "the module as built in a hidden test registers parameters unlike the reference's.",
            )
        if message:
            where = "" if label == "this test" else f" (as built in {label})"
            return Verdict(False, message[:-1] + where + ".")
    return PASSED


def _parameters_message(
    test: CodeTest,
    got: list[tuple[str, tuple[int, ...], bool]],
    want: list[tuple[str, tuple[int, ...], bool]],
) -> str | None:
    names = {name for name, _, _ in got}
    missing = [name for name in test.names if name not in names]
    if missing:
        listed = ", ".join(sorted(names)) or "none"
        return (
            f"no registered parameter named {', '.join(missing)} "
            f"(registered: {listed}); wrap learnable tensors in nn.Parameter."
        )
    frozen = [name for name, _, learnable in got if not learnable]
    if frozen:
        return f"parameter(s) {', '.join(frozen)} have requires_grad=False."
    if len(got) != len(want):
        return f"{len(got)} learnable parameter tensors are registered, expected {len(want)}."
    got_shapes = sorted(shape for _, shape, _ in got)
    want_shapes = sorted(shape for _, shape, _ in want)
    if got_shapes != want_shapes:
        return f"the parameters have shapes {got_shapes}, expected {want_shapes}."
    return None


def _judge_inplace(
    test: CodeTest,
    observed: Mapping[str, Any],
    reference: Any,
    elsewhere: Sequence[tuple[str, Mapping[str, Any]]],
) -> Verdict:
    message = compare_outputs(_output(observed), _output(reference), test.rtol, test.atol)
    if message:
        return Verdict(False, message, values_wrong=True)
    changed = observed.get("changed")
    if not isinstance(changed, list):
        return Verdict(False, "the in-place check could not be read.")
    found = [str(item) for item in changed] + [
        f"in {label}"
        for label, other in elsewhere
        if isinstance(other.get("changed"), list) and other["changed"]
    ]
    if found:
        listed = ", ".join(dict.fromkeys(found))
        return Verdict(
            False,
            f"a call modified its input(s) in place ({listed}); work on new tensors "
            "(avoid x -= ..., x.sub_(...), x[...] = ...).",
        )
    return PASSED


def _judge_determinism(test: CodeTest, observed: Mapping[str, Any], reference: Any) -> Verdict:
    message = compare_outputs(_output(observed), _output(reference), test.rtol, test.atol)
    if message:
        return Verdict(False, message, values_wrong=True)
    message = compare_outputs(_output(observed, 1), _output(observed), 0.0, 0.0, "second call")
    if message:
        return Verdict(
            False, f"two calls with the same inputs and seed gave different results. {message}"
        )
    return PASSED


def _judge_symmetric(
    test: CodeTest,
    observed: Mapping[str, Any],
    elsewhere: Sequence[tuple[str, Mapping[str, Any]]],
) -> Verdict:
    """Each named matrix parameter, and the gradient it received, equal their transposes; and
    so does the parameter as constructed, in every job of the run that built the module (so a
    module cannot be symmetric only in the job that judges it)."""
    rows = observed.get("parameters")
    grads = observed.get("param_grads")
    if not isinstance(rows, list) or not isinstance(grads, Mapping):
        return Verdict(False, "the parameter values could not be read.")
    values = {
        row["name"]: row.get("values")
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("name"), str)
    }
    for name in test.names:
        if name not in values:
            return Verdict(
                False,
                f"no registered parameter named {name}; create it in __init__ as "
                f"self.{name} = nn.Parameter(...).",
            )
        checks = [(name, values[name]), (f"the gradient of {name}", grads.get(name))]
        for label, other in [("this test", observed), *elsewhere]:
            initial = other.get("initial")
            if isinstance(initial, Mapping) and name in initial:
                where = "" if label == "this test" else f" in {label}"
                checks.append((f"{name} as constructed{where}", initial[name]))
        for what, value in checks:
            message = _symmetry_message(what, value, test)
            if message and what.endswith(HIDDEN):
                return Verdict(False, f"{name} as constructed in a hidden test is not symmetric.")
            if message:
                return Verdict(False, message)
    return PASSED


def _symmetry_message(what: str, value: Any, test: CodeTest) -> str | None:
    array = array_of(value) if kind_of(value) in ("tensor", "array") else None
    if array is None or array.ndim < 2 or array.shape[-1] != array.shape[-2]:
        return f"{what} is not a stack of square matrices."
    message = values_message(
        array.astype(np.float64),
        np.swapaxes(array, -1, -2).astype(np.float64),
        test.rtol,
        test.atol,
        f"{what} compared with its transpose",
    )
    if message:
        return f"{what} is not symmetric, so gradient steps would not keep it symmetric.\n{message}"
    return None


def judge_facts(test: CodeTest, facts: Any) -> Verdict:
    """Hold each named fact against the test's `expect` bounds."""
    if not isinstance(facts, Mapping):
        return Verdict(False, "the facts this test inspects could not be read.")
    for name, bounds in test.expect.items():
        message = _bound_message(name, facts.get(name), bounds)
        if message:
            return Verdict(False, message)
    return PASSED


def _bound_message(name: str, value: Any, bounds: Mapping[str, Any]) -> str | None:
    if "equals" in bounds and value != bounds["equals"]:
        return f"{name} is {value!r}, expected {bounds['equals']!r}."
    if "one_of" in bounds and value not in bounds["one_of"]:
        options = ", ".join(repr(option) for option in bounds["one_of"])
        return f"{name} is {value!r}, expected one of {options}."
    if "min" in bounds or "max" in bounds:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return f"{name} is {value!r}, not a number."
        if "min" in bounds and value < bounds["min"]:
            return f"{name} is {value:.4g}, below the required minimum {bounds['min']:g}."
        if "max" in bounds and value > bounds["max"]:
            return f"{name} is {value:.4g}, above the allowed maximum {bounds['max']:g}."
    return None

"""A variant's author runs as plain JSON, computed once when the variant is built.

The reference's and each known wrong solution's observations on a variant's tests
(`code_runs.AuthorRuns`) are stored with the variant, so marking a code submission runs only
the submission's own test jobs. The stored form is plain JSON (never pickle): a dict travels
as ``{"dict": {...}}``, a list as a JSON array, a float that is not finite as
``{"float": "nan" | "inf" | "-inf"}`` and a numpy array as ``{"npy": <base64 of its .npy
file, saved without pickle>}``, so what is read back equals what the jobs returned. It holds
hidden tests' expected outputs: it is server-side data, never shown to anyone.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.code import CodeRun, WrongRun
from question_engine.code_parts import code_parts
from question_engine.code_runs import AuthorRuns, author_runs
from question_engine.definition import QuestionDefinition
from sandbox.codec import CodecError, npy_to_array

STORE_FORMAT = 1
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class StoredRunsError(ValueError):
    """Stored author runs cannot be read back (another format, or damaged)."""


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {"dict": {str(key): _plain(item) for key, item in value.items()}}
    if isinstance(value, np.ndarray | np.generic):
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(value), allow_pickle=False)
        return {"npy": base64.b64encode(buffer.getvalue()).decode("ascii")}
    raise TypeError(f"an author run holds a {type(value).__name__}, which cannot be stored")


def _value(tree: Any) -> Any:
    if tree is None or isinstance(tree, bool | int | float | str):
        return tree
    if isinstance(tree, list):
        return [_value(item) for item in tree]
    if isinstance(tree, dict) and len(tree) == 1:
        ((tag, payload),) = tree.items()
        if tag == "dict" and isinstance(payload, dict):
            return {key: _value(item) for key, item in payload.items()}
        if tag == "float" and payload in NON_FINITE:
            return NON_FINITE[payload]
        if tag == "npy" and isinstance(payload, str):
            try:
                return npy_to_array(base64.b64decode(payload), "stored author run")
            except (CodecError, ValueError) as exc:
                raise StoredRunsError(f"a stored array cannot be read: {exc}") from None
    raise StoredRunsError(f"malformed stored value {str(tree)[:80]!r}")


def _run_plain(run: CodeRun) -> dict[str, Any]:
    return {
        "tests": _plain(dict(run.tests)),
        "load_error": _plain(run.load_error),
        "failure": run.failure,
        "stdout": run.stdout,
    }


def _run_from(data: Any) -> CodeRun:
    if not isinstance(data, dict) or not isinstance(data.get("tests"), dict):
        raise StoredRunsError("a stored run has no tests")
    tests = _value(data["tests"])
    load_error = _value(data.get("load_error"))
    return CodeRun(
        tests=tests,
        load_error=load_error,
        failure=str(data.get("failure", "")),
        stdout=str(data.get("stdout", "")),
    )


def author_runs_plain(runs: AuthorRuns) -> dict[str, Any]:
    """`runs` as plain JSON (see the module docstring); `author_runs_from_plain` reverses it.

    Raises TypeError when an observation is of a type the store does not know.
    """
    return {
        "format": STORE_FORMAT,
        "reference": _run_plain(runs.reference),
        "wrong": [
            {"name": wrong.name, "hint": wrong.hint, "run": _run_plain(wrong.run)}
            for wrong in runs.wrong
        ],
    }


def author_runs_from_plain(data: Any) -> AuthorRuns:
    """The AuthorRuns stored as `data` by `author_runs_plain`.

    Raises StoredRunsError when `data` is of another format or damaged.
    """
    if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
        raise StoredRunsError("the stored author runs are of another format")
    wrong = data.get("wrong")
    if not isinstance(wrong, list) or not all(isinstance(entry, dict) for entry in wrong):
        raise StoredRunsError("the stored wrong solutions' runs are malformed")
    return AuthorRuns(
        reference=_run_from(data.get("reference")),
        wrong=tuple(
            WrongRun(str(entry.get("name")), str(entry.get("hint")), _run_from(entry.get("run")))
            for entry in wrong
        ),
    )


def variant_author_runs(q: QuestionDefinition, params: Mapping[str, Any]) -> dict[str, Any]:
    """The author runs of every code part of the variant with `params`, as plain JSON keyed
    by part label ({} for a question without code parts): one sandbox job per author source.

    Raises QuestionRunError when the reference fails or does not load, SandboxFailure when the
    sandbox does, BankError when a part's tests cannot be rendered.
    """
    found: dict[str, Any] = {}
    for part in code_parts(q):
        tests = part.tests(params)
        found[part.label] = author_runs_plain(author_runs(q, part, params, tests))
    return found

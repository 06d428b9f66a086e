"""A variant's author runs as plain JSON, computed once when the variant is built.

The reference's and each known wrong solution's observations on a variant's tests
(`code_runs.AuthorRuns`) are stored with the variant, so marking a code submission runs only
the submission's own test jobs. The stored form is plain JSON (never pickle): a dict travels
as ``{"dict": {...}}``, a list as a JSON array, a float that is not finite as
``{"float": "nan" | "inf" | "-inf"}`` and a numpy array as ``{"npy": <sha256>}``, a reference
to its `.npy` file (saved without pickle), which is kept apart, zlib-compressed, by that hash
(the caller stores those files once each; one array may be observed by many runs). Arrays are
read back as the sandbox codec reads them (numeric or bool only, one header at a time), so
what is read back equals what the jobs returned. The runs hold hidden tests' expected
outputs: server-side data, never shown to anyone.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.code import CodeRun, WrongRun
from question_engine.code_parts import code_parts
from question_engine.code_runs import AuthorRuns, author_runs
from question_engine.definition import QuestionDefinition
from sandbox.codec import CodecError, npy_to_array

STORE_FORMAT = 1
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
COMPRESSION_LEVEL = 6


class StoredRunsError(ValueError):
    """Stored author runs cannot be read back (another format, a missing array, damage)."""


@dataclass(frozen=True)
class StoredAuthorRuns:
    """Author runs of a variant as stored: `runs` the plain JSON per code part label, and
    `arrays` the zlib-compressed `.npy` files they refer to, by SHA-256."""

    runs: dict[str, Any]
    arrays: dict[str, bytes]


def uncompressed_size(data: bytes) -> int:
    """Bytes of the `.npy` file compressed as `data` (raises zlib.error when damaged)."""
    return len(zlib.decompress(data))


class _Writer:
    def __init__(self) -> None:
        self.arrays: dict[str, bytes] = {}

    def plain(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
        if isinstance(value, list | tuple):
            return [self.plain(item) for item in value]
        if isinstance(value, Mapping):
            return {"dict": {str(key): self.plain(item) for key, item in value.items()}}
        if isinstance(value, np.ndarray | np.generic):
            buffer = io.BytesIO()
            np.save(buffer, np.asarray(value), allow_pickle=False)
            npy = buffer.getvalue()
            sha256 = hashlib.sha256(npy).hexdigest()
            if sha256 not in self.arrays:
                self.arrays[sha256] = zlib.compress(npy, COMPRESSION_LEVEL)
            return {"npy": sha256}
        raise TypeError(f"an author run holds a {type(value).__name__}, which cannot be stored")

    def run(self, run: CodeRun) -> dict[str, Any]:
        return {
            "tests": self.plain(dict(run.tests)),
            "load_error": self.plain(run.load_error),
            "failure": run.failure,
            "stdout": run.stdout,
        }


class _Reader:
    def __init__(self, arrays: Mapping[str, bytes]) -> None:
        self.arrays = arrays
        self.read: dict[str, np.ndarray] = {}

    def value(self, tree: Any) -> Any:
        if tree is None or isinstance(tree, bool | int | float | str):
            return tree
        if isinstance(tree, list):
            return [self.value(item) for item in tree]
        if isinstance(tree, dict) and len(tree) == 1:
            ((tag, payload),) = tree.items()
            if tag == "dict" and isinstance(payload, dict):
                return {key: self.value(item) for key, item in payload.items()}
            if tag == "float" and payload in NON_FINITE:
                return NON_FINITE[payload]
            if tag == "npy" and isinstance(payload, str):
                return self.array(payload)
        raise StoredRunsError(f"malformed stored value {str(tree)[:80]!r}")

    def array(self, sha256: str) -> np.ndarray:
        if sha256 not in self.read:
            if sha256 not in self.arrays:
                raise StoredRunsError(f"the stored array {sha256} is missing")
            try:
                npy = zlib.decompress(self.arrays[sha256])
                self.read[sha256] = npy_to_array(npy, "stored author run")
            except (zlib.error, CodecError) as exc:
                raise StoredRunsError(f"the stored array {sha256} cannot be read: {exc}") from None
        # Each use gets its own copy: marking must not change what another run observed.
        return self.read[sha256].copy()

    def run(self, data: Any) -> CodeRun:
        if not isinstance(data, dict) or not isinstance(data.get("tests"), dict):
            raise StoredRunsError("a stored run has no tests")
        return CodeRun(
            tests=self.value(data["tests"]),
            load_error=self.value(data.get("load_error")),
            failure=str(data.get("failure", "")),
            stdout=str(data.get("stdout", "")),
        )


def author_runs_plain(runs: AuthorRuns, arrays: dict[str, bytes]) -> dict[str, Any]:
    """`runs` as stored (see the module docstring); the compressed `.npy` files it refers to
    are added to `arrays` by SHA-256. `author_runs_from_plain` reverses it.

    Raises TypeError when an observation is of a type the store does not know.
    """
    writer = _Writer()
    writer.arrays = arrays
    return {
        "format": STORE_FORMAT,
        "reference": writer.run(runs.reference),
        "wrong": [
            {"name": wrong.name, "hint": wrong.hint, "run": writer.run(wrong.run)}
            for wrong in runs.wrong
        ],
    }


def array_hashes(data: Any) -> set[str]:
    """The SHA-256 of every array stored runs `data` (any part of them) refer to."""
    if isinstance(data, list):
        return set().union(*(array_hashes(item) for item in data))
    if isinstance(data, dict):
        if len(data) == 1 and isinstance(data.get("npy"), str):
            return {data["npy"]}
        return set().union(*(array_hashes(item) for item in data.values()))
    return set()


def author_runs_from_plain(data: Any, arrays: Mapping[str, bytes]) -> AuthorRuns:
    """The AuthorRuns of one part stored as `data`, reading its arrays from `arrays`
    (compressed `.npy` files by SHA-256).

    Raises StoredRunsError when `data` is of another format, damaged, or refers to an array
    `arrays` lacks.
    """
    if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
        raise StoredRunsError("the stored author runs are of another format")
    wrong = data.get("wrong")
    if not isinstance(wrong, list) or not all(isinstance(entry, dict) for entry in wrong):
        raise StoredRunsError("the stored wrong solutions' runs are malformed")
    reader = _Reader(arrays)
    return AuthorRuns(
        reference=reader.run(data.get("reference")),
        wrong=tuple(
            WrongRun(str(entry.get("name")), str(entry.get("hint")), reader.run(entry.get("run")))
            for entry in wrong
        ),
    )


def variant_author_runs(q: QuestionDefinition, params: Mapping[str, Any]) -> StoredAuthorRuns:
    """The author runs of every code part of the variant with `params`, as stored: plain
    JSON by part label ({} for a question without code parts) and the arrays they refer to.
    One sandbox job per author source.

    Raises QuestionRunError when the reference fails or does not load, SandboxFailure when the
    sandbox does, BankError when a part's tests cannot be rendered.
    """
    arrays: dict[str, bytes] = {}
    runs = {
        part.label: author_runs_plain(author_runs(q, part, params, part.tests(params)), arrays)
        for part in code_parts(q)
    }
    return StoredAuthorRuns(runs=runs, arrays=arrays)

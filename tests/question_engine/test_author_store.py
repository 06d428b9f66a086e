"""Author runs as plain JSON: what is read back is what the jobs returned."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from grader.code import CodeRun, WrongRun
from question_engine import AuthorRuns, StoredRunsError, array_hashes, author_runs_from_plain
from question_engine.author_store import author_runs_plain

OBSERVED = {
    "values": np.arange(6, dtype=np.float32).reshape(2, 3),
    "flags": np.array([True, False]),
    "loss": math.inf,
    "missing": math.nan,
    "shape": [2, 3],
    "nested": {"grad": np.float64(0.25), "names": ["a", "b"], "none": None},
}


def test_runs_round_trip_through_json_with_dtypes_and_non_finite_floats():
    runs = AuthorRuns(
        reference=CodeRun(tests={"values": {"observed": OBSERVED}}),
        wrong=(WrongRun("off_by_one", "Check the index.", CodeRun(load_error={"type": "X"})),),
    )
    arrays: dict[str, bytes] = {}
    stored = json.loads(json.dumps(author_runs_plain(runs, arrays), allow_nan=False))
    assert array_hashes(stored) == set(arrays) and len(arrays) == 2
    back = author_runs_from_plain(stored, arrays)
    observed = back.reference.observed("values")
    assert observed["values"].dtype == np.float32
    np.testing.assert_array_equal(observed["values"], OBSERVED["values"])
    np.testing.assert_array_equal(observed["flags"], OBSERVED["flags"])
    assert observed["loss"] == math.inf and math.isnan(observed["missing"])
    assert observed["shape"] == [2, 3]
    assert observed["nested"]["grad"] == 0.25 and observed["nested"]["names"] == ["a", "b"]
    assert back.wrong[0].name == "off_by_one" and back.wrong[0].hint == "Check the index."
    assert back.wrong[0].run.load_error == {"type": "X"}


def test_an_array_observed_twice_is_stored_once_and_each_use_reads_its_own_copy():
    shared = {"observed": {"w": np.ones((64, 64))}}
    runs = AuthorRuns(
        reference=CodeRun(tests={"a": shared, "b": shared}),
        wrong=(WrongRun("w", "hint", CodeRun(tests={"a": shared})),),
    )
    arrays: dict[str, bytes] = {}
    stored = author_runs_plain(runs, arrays)
    assert len(arrays) == 1 and len(next(iter(arrays.values()))) < np.ones((64, 64)).nbytes / 10
    back = author_runs_from_plain(stored, arrays)
    back.reference.observed("a")["w"][0, 0] = 5.0
    assert back.reference.observed("b")["w"][0, 0] == 1.0


def test_another_format_a_missing_or_damaged_array_is_refused():
    with pytest.raises(StoredRunsError):
        author_runs_from_plain({"reference": {}, "wrong": []}, {})
    with pytest.raises(StoredRunsError):
        author_runs_from_plain(
            {"format": 1, "reference": {"tests": {"dict": {"t": {"x": 1}}}}, "wrong": []}, {}
        )
    arrays: dict[str, bytes] = {}
    stored = author_runs_plain(AuthorRuns(CodeRun(tests={"t": OBSERVED}), ()), arrays)
    with pytest.raises(StoredRunsError, match="missing"):
        author_runs_from_plain(stored, {})
    with pytest.raises(StoredRunsError, match="cannot be read"):
        author_runs_from_plain(stored, dict.fromkeys(arrays, b"not zlib"))

"""Marking code parts: each source runs in its own sandbox job, comparisons happen here.

A submission runs in one job (the code-tests job `question_engine/jobs/code_tests.py` shipped
as source, the submission passed to it as a string). The reference and the known wrong
solutions are author code: they run together in another job, never with student code, and
their plain outputs are cached per (question content hash, part, params).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import grader
from grader.code import CodeRun, CodeTest, ReferenceRunError, WrongRun, mark_code_tests
from grader.code.syntax import syntax_problem
from question_engine.code_digits import digits_split
from question_engine.code_parts import CodePart, code_part
from question_engine.definition import QuestionDefinition
from question_engine.errors import QuestionRunError
from question_engine.jobs import CODE_TESTS_JOB, job_filename, job_source
from question_engine.sandbox_jobs import run_job
from sandbox import Call, Job, Limits

SUBMISSION_FILENAME = "submission.py"
REFERENCE_FILENAME = "reference.py"
AUTHOR_CACHE_SIZE = 256
JOB_MEMORY_MB = 1024
STUDENT_FAILURES = {
    "timeout": "your code ran longer than the time limit of {limit:g} s, so no test finished; "
    "look for endless loops or needlessly large tensors",
    "memory_limit": "your code used more memory than the limit of {memory} MB; "
    "look for needlessly large tensors",
    "output_limit": "your code printed or returned too much data; remove large prints",
    "killed": "your code crashed the process it ran in before the tests finished (for example "
    "a segmentation fault or an abort in a native library call); check tensor shapes and "
    "dtypes passed to low-level operations",
    "bad_return": "the test results could not be read back from your code's process",
    "error": "the tests could not run: {error}",
}


@dataclass(frozen=True)
class AuthorRuns:
    """The reference's run and each known wrong solution's, for one variant of one part."""

    reference: CodeRun
    wrong: tuple[WrongRun, ...]


def _trains(tests: Sequence[CodeTest]) -> bool:
    return any(test.check == "training" for test in tests)


def _job_data(tests: Sequence[CodeTest]) -> dict[str, Any]:
    return digits_split().job_data() if _trains(tests) else {}


def held_out_labels(tests: Sequence[CodeTest]) -> np.ndarray | None:
    return digits_split().y_test if _trains(tests) else None


def _limits(part: CodePart, runs: int) -> Limits:
    seconds = part.time_limit_s * runs
    return Limits(wall_time_s=seconds, cpu_time_s=seconds, memory_mb=JOB_MEMORY_MB)


def _raw_tests(tests: Sequence[CodeTest]) -> list[dict[str, Any]]:
    return [dict(test.raw) for test in tests]


def run_submission(
    part: CodePart, params: Mapping[str, Any], tests: Sequence[CodeTest], source: str
) -> CodeRun:
    """The submission's observations for `tests`, from one sandbox job."""
    call = Call(
        "run_code_tests",
        args=(source, SUBMISSION_FILENAME, part.entry(params), _raw_tests(tests), _job_data(tests)),
    )
    limits = _limits(part, 1)
    job = Job(
        code=job_source(CODE_TESTS_JOB),
        calls=[call],
        limits=limits,
        filename=job_filename(CODE_TESTS_JOB),
    )
    result = run_job(job, where=part.where)
    if result.status != "ok" or len(result.outputs) != 1:
        error = grader.code.error_text(result.error.as_dict()) if result.error else "unknown"
        template = STUDENT_FAILURES.get(result.status, STUDENT_FAILURES["error"])
        message = template.format(limit=limits.wall_time_s, memory=limits.memory_mb, error=error)
        return CodeRun(failure=message[0].upper() + message[1:] + ".", stdout=result.stdout)
    hidden = {test.name for test in tests if test.hidden}
    return code_run_from_output(result.outputs[0], hidden)


def code_run_from_output(output: Any, hidden: set[str]) -> CodeRun:
    """A CodeRun from the harness's (untrusted) return value; stdout of hidden tests is dropped."""
    if not isinstance(output, dict):
        return CodeRun(failure="The test results could not be read back from your code.")
    stdout = output.get("stdout") if isinstance(output.get("stdout"), str) else ""
    load_error = output.get("load_error")
    if load_error is not None:
        return CodeRun(load_error=load_error if isinstance(load_error, dict) else {}, stdout=stdout)
    raw_tests = output.get("tests")
    tests = {
        name: entry
        for name, entry in (raw_tests.items() if isinstance(raw_tests, dict) else [])
        if isinstance(name, str) and isinstance(entry, dict)
    }
    printed = [stdout] if stdout else []
    for name, entry in tests.items():
        text = entry.get("stdout")
        if name not in hidden and isinstance(text, str) and text:
            printed.append(f"[{name}]\n{text}")
    return CodeRun(tests=tests, stdout="\n".join(printed))


_author_cache: OrderedDict[tuple[str, str, str], AuthorRuns] = OrderedDict()
_author_lock = threading.Lock()


def author_runs(
    q: QuestionDefinition, part: CodePart, params: Mapping[str, Any], tests: Sequence[CodeTest]
) -> AuthorRuns:
    """Reference and wrong-solution runs for this variant, from the cache or one sandbox job."""
    key = (q.content_hash, part.label, json.dumps(params, sort_keys=True, default=str))
    with _author_lock:
        if key in _author_cache:
            _author_cache.move_to_end(key)
            return _author_cache[key]
    wrong = part.wrong_for(tests)
    sources = [(REFERENCE_FILENAME, part.reference)]
    sources += [(f"wrong_{w.name}.py", w.source) for w in wrong]
    call = Call(
        "run_author_sources",
        args=(sources, part.entry(params), _raw_tests(tests), _job_data(tests)),
    )
    job = Job(
        code=job_source(CODE_TESTS_JOB),
        calls=[call],
        limits=_limits(part, len(sources)),
        filename=job_filename(CODE_TESTS_JOB),
    )
    result = run_job(job, where=part.where)
    if result.status != "ok" or len(result.outputs) != 1 or not isinstance(result.outputs[0], list):
        detail = grader.code.error_text(result.error.as_dict()) if result.error else result.status
        raise QuestionRunError(f"{part.where}: the reference run failed ({detail})")
    runs = [code_run_from_output(output, set()) for output in result.outputs[0]]
    reference = runs[0]
    if reference.load_error is not None:
        raise QuestionRunError(
            f"{part.where}: the reference does not load: "
            f"{grader.code.error_text(reference.load_error)}"
        )
    found = AuthorRuns(
        reference=reference,
        wrong=tuple(WrongRun(w.name, w.hint, run) for w, run in zip(wrong, runs[1:], strict=True)),
    )
    with _author_lock:
        _author_cache[key] = found
        while len(_author_cache) > AUTHOR_CACHE_SIZE:
            _author_cache.popitem(last=False)
    return found


@dataclass(frozen=True)
class PreparedRuns:
    """Everything needed to judge one submission to one variant of a code part."""

    part: CodePart
    tests: list[CodeTest]
    student: CodeRun
    authors: AuthorRuns


def prepare_runs(
    q: QuestionDefinition,
    label: str,
    params: Mapping[str, Any],
    source: str,
    *,
    visible_only: bool = False,
) -> PreparedRuns:
    """Run the author code (cached) and the submission (whose syntax must already be valid)."""
    part = code_part(q, label)
    tests = part.tests(params)
    chosen = [test for test in tests if not (visible_only and test.hidden)]
    authors = author_runs(q, part, params, tests)
    return PreparedRuns(part, tests, run_submission(part, params, chosen, source), authors)


def _mark(
    q: QuestionDefinition,
    label: str,
    params: Mapping[str, Any],
    source: str,
    *,
    visible_only: bool,
) -> grader.PartResult:
    problem = syntax_problem(source)
    if problem is not None:
        message = f"Your code could not be read, so no test ran (this costs no attempt): {problem}"
        return grader.PartResult(label, 0.0, code_part(q, label).marks, "format_error", message)
    runs = prepare_runs(q, label, params, source, visible_only=visible_only)
    try:
        return mark_code_tests(
            label,
            runs.part.marks,
            runs.tests,
            runs.student,
            runs.authors.reference,
            runs.authors.wrong,
            visible_only=visible_only,
            labels=held_out_labels(runs.tests),
        )
    except ReferenceRunError as exc:
        raise QuestionRunError(f"{runs.part.where}: {exc}") from None


def mark_code_part(
    q: QuestionDefinition, label: str, params: Mapping[str, Any], source: str
) -> grader.PartResult:
    """Mark submitted `source` for code part `label` of the variant with `params` (all tests)."""
    return _mark(q, label, params, source, visible_only=False)


def run_visible_tests(
    q: QuestionDefinition, label: str, params: Mapping[str, Any], source: str
) -> grader.PartResult:
    """Run only the visible tests (a "run tests" button: not a submission, costs no attempt)."""
    return _mark(q, label, params, source, visible_only=True)

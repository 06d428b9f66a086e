"""Marking code parts: every test of a submission runs in its own sandbox job; judging is here.

A submission's test runs in a job of its own (the code-tests harness
`question_engine/jobs/code_tests.py` shipped as source, with the submission and that one test's
*plan*, see `grader.code.plans`), with the test's own time budget; the jobs of one submission
run side by side. A job that runs too long, crashes or runs out of memory fails its own test
only. What a hidden test's job printed or raised never reaches the student.

The reference and the known wrong solutions are author code: each runs in its own job (never
with student code) over every plan. Their outputs (`AuthorRuns`) are computed once when a
variant is built and stored with it (`question_engine.author_store`); marking and "run visible
tests" are given the stored ones, so only the submission's own jobs run then. Called without
them (bank validation, `manage.py grade`), they are computed here and cached per (question
content hash, part, params) in the process.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

import grader
from grader.code import CodeRun, CodeTest, ReferenceRunError, WrongRun, mark_code_tests
from grader.code.plans import plan_for
from grader.code.syntax import syntax_error_lines, syntax_problem
from question_engine.code_digits import digits_split
from question_engine.code_parts import CodePart, code_part
from question_engine.definition import QuestionDefinition
from question_engine.errors import QuestionRunError
from question_engine.jobs import CODE_TESTS_JOB, NUMPY_CODE_TESTS_JOB, job_filename, job_source
from question_engine.sandbox_jobs import run_job
from sandbox import Call, Job, JobResult, Limits

SUBMISSION_FILENAME = "submission.py"
REFERENCE_FILENAME = "reference.py"
AUTHOR_CACHE_SIZE = 256
JOB_MEMORY_MB = 1024
PARALLEL_TEST_JOBS = 4
"""Test jobs of one submission in flight at once (the sandbox queues the rest)."""
PRINTED_CHARS_PER_STREAM = 600
"""Characters of a visible test's stdout, and of its stderr, kept for the feedback."""
LOAD_BUDGET_S = 10.0
"""Budget of the load-only job run for parts without visible tests."""
TEST_FAILURES = {
    "timeout": "test `{name}` ran past its {limit:g} s budget, so it fails; look for endless "
    "loops or needlessly large tensors",
    "memory_limit": "test `{name}` used more memory than the limit of {memory} MB; look for "
    "needlessly large tensors",
    "output_limit": "test `{name}` returned too much data to be read back",
    "killed": "your code crashed the process of test `{name}` (for example a segmentation "
    "fault or an abort in a native library call); check tensor shapes and dtypes passed to "
    "low-level operations",
    "bad_return": "the result of test `{name}` could not be read back from your code's process",
    "error": "test `{name}` could not run: {error}",
}


@dataclass(frozen=True)
class AuthorRuns:
    """The reference's run and each known wrong solution's, for one variant of one part."""

    reference: CodeRun
    wrong: tuple[WrongRun, ...]


def _trains(tests: Sequence[CodeTest]) -> bool:
    return any(test.check == "training" for test in tests)


def _job_data(tests: Sequence[CodeTest], params: Mapping[str, Any]) -> dict[str, Any]:
    return digits_split(params).job_data() if _trains(tests) else {}


def held_out_labels(tests: Sequence[CodeTest], params: Mapping[str, Any]) -> np.ndarray | None:
    """The labels `training` tests of this variant are scored against (never sent to a job)."""
    return digits_split(params).y_test if _trains(tests) else None


def _budget_s(part: CodePart, test: CodeTest) -> float:
    return test.time_limit_s if test.time_limit_s is not None else part.time_limit_s


def _job(part: CodePart, call: Call, seconds: float) -> Job:
    name = NUMPY_CODE_TESTS_JOB if part.runtime == "numpy" else CODE_TESTS_JOB
    return Job(
        code=job_source(name),
        calls=[call],
        limits=Limits(wall_time_s=seconds, cpu_time_s=seconds, memory_mb=JOB_MEMORY_MB),
        filename=job_filename(CODE_TESTS_JOB),
        runtime=part.runtime,
        precompiled=True,
    )


def _in_parallel(tasks: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run `tasks` on a few threads, each in a copy of the caller's context (so a person
    waiting for the result keeps the short sandbox queue limit); results in order."""
    if len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_TEST_JOBS, len(tasks))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, task) for task in tasks]
        return [future.result() for future in futures]


def _capped(text: str, name: str) -> str:
    text = text.rstrip()
    if len(text) <= PRINTED_CHARS_PER_STREAM:
        return text
    return f"{text[:PRINTED_CHARS_PER_STREAM]}\n[{name}: the rest is not shown]"


def _printed(result: JobResult) -> str:
    """What a test's job wrote to stdout and stderr, each stream capped on its own."""
    parts = []
    if result.stdout.strip():
        parts.append(_capped(result.stdout, "stdout"))
    if result.stderr.strip():
        parts.append("(stderr)\n" + _capped(result.stderr, "stderr"))
    return "\n".join(parts)


def _test_entry(test: CodeTest, result: JobResult, budget: float) -> dict[str, Any]:
    """The per-test record of one job: observations, the code's error, or why the job failed."""
    if result.status == "ok" and len(result.outputs) == 1 and isinstance(result.outputs[0], dict):
        output = result.outputs[0]
        if output.get("load_error") is not None:
            load_error = output["load_error"]
            return {"load_error": load_error if isinstance(load_error, dict) else {}}
        if isinstance(output.get("observed"), dict):
            return {"observed": output["observed"]}
        if isinstance(output.get("error"), dict):
            return {"error": output["error"]}
        return {"failure": TEST_FAILURES["bad_return"].format(name=test.name)}
    error = grader.code.error_text(result.error.as_dict()) if result.error else "unknown"
    template = TEST_FAILURES.get(result.status, TEST_FAILURES["error"])
    message = template.format(name=test.name, limit=budget, memory=JOB_MEMORY_MB, error=error)
    return {"failure": message[0].upper() + message[1:] + "."}


def run_submission(
    part: CodePart, params: Mapping[str, Any], tests: Sequence[CodeTest], source: str
) -> CodeRun:
    """The submission's observations for `tests`: one sandbox job per test, side by side
    (the visible tests' first, then the hidden tests').

    A load error is taken from a visible test's job (or from a load-only job when none of
    `tests` is visible); hidden tests' jobs contribute their observations only.
    """
    entry = part.entry(params)
    data = _job_data(tests, params)

    def task(test: CodeTest) -> Callable[[], JobResult]:
        call = Call("run_test", args=(source, SUBMISSION_FILENAME, plan_for(test, entry), data))
        return lambda: run_job(_job(part, call, _budget_s(part, test)), where=part.where)

    # Visible tests' jobs run (and end) before any hidden test's job starts, so no job whose
    # output the student sees ever runs beside one holding a hidden test's plan.
    visible = [test for test in tests if not test.hidden]
    hidden = [test for test in tests if test.hidden]
    first = [task(test) for test in visible]
    if not visible:
        load_call = Call("load_only", args=(source, SUBMISSION_FILENAME))
        first.append(lambda: run_job(_job(part, load_call, LOAD_BUDGET_S), where=part.where))
    first_results = _in_parallel(first)
    by_name = dict(zip([test.name for test in visible], first_results, strict=False))
    hidden_results = _in_parallel([task(test) for test in hidden])
    by_name.update(zip([test.name for test in hidden], hidden_results, strict=True))
    results = [by_name[test.name] for test in tests] + first_results[len(visible) :]
    entries: dict[str, dict[str, Any]] = {}
    printed: list[str] = []
    load_error = None
    for test, result in zip(tests, results, strict=False):
        entry_ = _test_entry(test, result, _budget_s(part, test))
        if test.hidden:
            entry_.pop("load_error", None)
        else:
            text = _printed(result)
            if text:
                printed.append(f"[{test.name}]\n{text}")
            if load_error is None and entry_.get("load_error") is not None:
                load_error = entry_["load_error"]
        entries[test.name] = entry_
    if len(results) > len(tests):
        load_only = results[-1]
        output = load_only.outputs[0] if load_only.ok and load_only.outputs else None
        if isinstance(output, dict) and isinstance(output.get("load_error"), dict):
            load_error = output["load_error"]
    return CodeRun(tests=entries, load_error=load_error, stdout="\n".join(printed))


def _author_code_run(result: JobResult, tests: Sequence[CodeTest], filename: str) -> CodeRun:
    """A CodeRun from the job that ran every plan over one author source (`run_author_plans`).

    Raises QuestionRunError when the job failed or sent back something unreadable.
    """
    records = result.outputs[0] if result.ok and len(result.outputs) == 1 else None
    record = records[0] if isinstance(records, list) and len(records) == 1 else None
    if not isinstance(record, dict) or not isinstance(record.get("tests"), list):
        detail = grader.code.error_text(result.error.as_dict()) if result.error else result.status
        raise QuestionRunError(f"the author run of {filename} failed ({detail})")
    load_error = record.get("load_error")
    per_test = {
        test.name: entry
        for test, entry in zip(tests, record["tests"], strict=False)
        if isinstance(entry, dict)
    }
    return CodeRun(tests=per_test, load_error=load_error if isinstance(load_error, dict) else None)


_author_cache: OrderedDict[tuple[str, str, str], AuthorRuns] = OrderedDict()
_author_lock = threading.Lock()


def author_runs(
    q: QuestionDefinition, part: CodePart, params: Mapping[str, Any], tests: Sequence[CodeTest]
) -> AuthorRuns:
    """Reference and wrong-solution runs for this variant, from the cache or one job per source.

    Raises QuestionRunError when the reference's job fails or its code does not load.
    """
    key = (q.content_hash, part.label, json.dumps(params, sort_keys=True, default=str))
    with _author_lock:
        if key in _author_cache:
            _author_cache.move_to_end(key)
            return _author_cache[key]
    wrong = part.wrong_for(tests)
    sources = [(REFERENCE_FILENAME, part.reference)]
    sources += [(f"wrong_{w.name}.py", w.source) for w in wrong]
    entry = part.entry(params)
    plans = [plan_for(test, entry) for test in tests]
    data = _job_data(tests, params)
    seconds = sum(_budget_s(part, test) for test in tests)

    def task(filename: str, source: str) -> Callable[[], JobResult]:
        call = Call("run_author_plans", args=([(filename, source)], plans, data))
        return lambda: run_job(_job(part, call, seconds), where=part.where)

    results = _in_parallel([task(filename, source) for filename, source in sources])
    try:
        runs = [
            _author_code_run(result, tests, filename)
            for (filename, _), result in zip(sources, results, strict=True)
        ]
    except QuestionRunError as exc:
        raise QuestionRunError(f"{part.where}: {exc}") from None
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
    authors: AuthorRuns | None = None,
) -> PreparedRuns:
    """Run the submission (whose syntax must already be valid) against the author runs:
    `authors` when given (the variant's stored ones), else computed (cached per process)."""
    part = code_part(q, label)
    tests = part.tests(params)
    chosen = [test for test in tests if not (visible_only and test.hidden)]
    found = authors if authors is not None else author_runs(q, part, params, tests)
    return PreparedRuns(part, tests, run_submission(part, params, chosen, source), found)


def _mark(
    q: QuestionDefinition,
    label: str,
    params: Mapping[str, Any],
    source: str,
    *,
    visible_only: bool,
    authors: AuthorRuns | None,
) -> grader.PartResult:
    problem = syntax_problem(source)
    if problem is not None:
        message = f"Your code could not be read, so no test ran (this costs no attempt): {problem}"
        lines = tuple(syntax_error_lines(source))
        return grader.PartResult(
            label, 0.0, code_part(q, label).marks, "format_error", message, error_lines=lines
        )
    runs = prepare_runs(q, label, params, source, visible_only=visible_only, authors=authors)
    try:
        return mark_code_tests(
            label,
            runs.part.marks,
            runs.tests,
            runs.student,
            runs.authors.reference,
            runs.authors.wrong,
            visible_only=visible_only,
            labels=held_out_labels(runs.tests, params),
        )
    except ReferenceRunError as exc:
        raise QuestionRunError(f"{runs.part.where}: {exc}") from None


def mark_code_part(
    q: QuestionDefinition,
    label: str,
    params: Mapping[str, Any],
    source: str,
    authors: AuthorRuns | None = None,
) -> grader.PartResult:
    """Mark submitted `source` for code part `label` of the variant with `params` (all tests).

    With `authors` (the variant's stored author runs) only the submission's test jobs run.
    Raises QuestionRunError when the author code fails, SandboxFailure when the sandbox does.
    """
    return _mark(q, label, params, source, visible_only=False, authors=authors)


def run_visible_tests(
    q: QuestionDefinition,
    label: str,
    params: Mapping[str, Any],
    source: str,
    authors: AuthorRuns | None = None,
) -> grader.PartResult:
    """Run only the visible tests (a "run tests" button: not a submission, costs no attempt).

    The result's score and maximum are the visible tests' points, and its status is
    `visible_tests_run`: it never claims a mark for the whole part. `authors` as in
    `mark_code_part`.
    """
    return _mark(q, label, params, source, visible_only=True, authors=authors)

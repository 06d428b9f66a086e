"""Marking whole LayerNorm submissions through the real sandbox: isolated tests vs the alternatives.

Run (as root, so every isolation layer is on):
``.venv/bin/python benchmarks/bench_code_marking.py [--submissions 60] [--fresh 3] [--clients 8]``.
Uses SANDBOX_SOCKET when set, otherwise starts a local server (one slot per core).

Three ways of marking the same correct module-form submission (the paper variant's tests:
5 tests, 2 of them hidden; the module form has 6) are timed in one run:

* isolated: what the service does, one sandbox job per test (`mark_code_part`), jobs side by
  side, with the author runs stored with the variant when it was built (`Variant.author_runs`,
  read back from its stored JSON once), so the test jobs are the only jobs;
* isolated, author runs each time: the same, with the reference and wrong solutions run again
  for every submission (as before they were stored: a worker's per-process cache almost never
  held an exam's variants, each student having another);
* one job: every test in a single sandbox job, one after another (no isolation between tests);
* fresh interpreter: a new `python` process per submission that imports torch and runs every
  test (what a container or subprocess per submission costs at least).

Prints p50/p95 latency per submission and submissions per second, with `--clients`
submissions in flight for the throughput figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import dataclasses  # noqa: E402
import uuid  # noqa: E402

from grader.code.plans import plan_for  # noqa: E402
from question_engine import (  # noqa: E402
    author_runs_from_plain,
    load_question,
    mark_code_part,
    variant_author_runs,
)
from question_engine.code_parts import code_part  # noqa: E402
from question_engine.jobs import CODE_TESTS_JOB, job_filename, job_source  # noqa: E402
from sandbox import Call, Job, Limits, get_client  # noqa: E402

QUESTION = load_question(ROOT / "bank" / "code-layer-norm")
PART = code_part(QUESTION, "impl")
PARAMS = {**dict(QUESTION.paper_params), "form": "module"}
TESTS = PART.tests(PARAMS)
PLANS = [plan_for(test, PART.entry(PARAMS)) for test in TESTS]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def mark_isolated(authors=None) -> None:  # noqa: ANN001
    """Mark the solution against stored author runs (`authors`), or with the author runs
    computed for this submission (a content hash never seen, so no cache holds them)."""
    question = QUESTION
    if authors is None:
        question = dataclasses.replace(QUESTION, content_hash=uuid.uuid4().hex)
    result = mark_code_part(question, "impl", PARAMS, PART.solution, authors)
    if result.status != "correct":
        raise SystemExit(f"the solution was not marked correct:\n{result.feedback}")


def mark_in_one_job() -> None:
    call = Call("run_author_plans", args=([("submission.py", PART.solution)], PLANS, {}))
    job = Job(
        code=job_source(CODE_TESTS_JOB),
        calls=[call],
        limits=Limits(wall_time_s=60.0, cpu_time_s=60.0, memory_mb=1024),
        filename=job_filename(CODE_TESTS_JOB),
    )
    result = get_client().run(job)
    if result.status != "ok":
        raise SystemExit(f"the single job failed: {result.status} {result.error}")


def mark_in_a_fresh_interpreter() -> None:
    program = (
        job_source(CODE_TESTS_JOB) + f"\nSOURCE = {PART.solution!r}\nPLANS = {PLANS!r}\n"
        "run_author_plans([('submission.py', SOURCE)], PLANS, {})\n"
    )
    subprocess.run(
        [sys.executable, "-c", program],
        check=True,
        capture_output=True,
        env={"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1"},
    )


def measure(mark, submissions: int, clients: int) -> dict[str, float]:
    """p50/p95 latency one at a time, then submissions/s with `clients` in flight."""
    for _ in range(3):
        mark()
    latencies = []
    for _ in range(submissions):
        started = time.perf_counter()
        mark()
        latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda _: mark(), range(submissions)))
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "per_s": submissions / (time.perf_counter() - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=60, help="submissions per measurement")
    parser.add_argument("--fresh", type=int, default=3, help="fresh-interpreter submissions")
    parser.add_argument("--clients", type=int, default=8, help="submissions in flight")
    arguments = parser.parse_args()
    import django

    django.setup()
    built = variant_author_runs(QUESTION, PARAMS)
    stored = author_runs_from_plain(built.runs["impl"], built.arrays)
    rows = {
        f"isolated ({len(TESTS)} jobs)": measure(
            lambda: mark_isolated(stored), arguments.submissions, arguments.clients
        ),
        "isolated, author runs each time": measure(
            mark_isolated, arguments.submissions, arguments.clients
        ),
        "one job, all tests": measure(mark_in_one_job, arguments.submissions, arguments.clients),
        "fresh interpreter": measure(
            mark_in_a_fresh_interpreter, arguments.fresh, min(arguments.clients, 2)
        ),
    }
    print(
        f"LayerNorm module submission, {len(TESTS)} tests, {os.cpu_count()} cores, "
        f"{arguments.clients} submissions in flight"
    )
    for name, row in rows.items():
        print(
            f"{name:<32} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   "
            f"{row['per_s']:6.1f} submissions/s"
        )
    isolated, fresh = rows[f"isolated ({len(TESTS)} jobs)"], rows["fresh interpreter"]
    print(
        f"isolated vs fresh interpreter (p50): {fresh['p50_ms'] / isolated['p50_ms']:.0f}x faster"
    )


if __name__ == "__main__":
    main()

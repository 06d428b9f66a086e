"""Marking whole LayerNorm submissions through the real sandbox: isolated tests vs the alternatives.

Run (as root, so every isolation layer is on): ``.venv/bin/python
benchmarks/bench_code_marking.py [--quick] [--submissions 60] [--fresh 3] [--clients 8]
[--json PATH]``.
Uses SANDBOX_SOCKET when set, otherwise starts a local server (one slot per core).

Three ways of marking the same correct module-form submission (the paper variant's tests:
5 tests, 2 of them hidden; the module form has 6) are timed in one run:

* isolated: what the service does, one sandbox job per test (`mark_code_part`), jobs side by
  side, the reference's outputs already computed for the variant (as after its first marking);
* one job: every test in a single sandbox job, one after another (no isolation between tests);
* fresh interpreter: a new `python` process per submission that imports torch and runs every
  test (what a container or subprocess per submission costs at least).

Measures p50/p95 latency per submission and submissions per second, with `--clients`
submissions in flight for the throughput figure (target: >= 20 whole markings/s isolated).
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

from benchmarks.common import Figure, Report, bench_main, percentile  # noqa: E402
from grader.code.plans import plan_for  # noqa: E402
from question_engine import load_question, mark_code_part  # noqa: E402
from question_engine.code_parts import code_part  # noqa: E402
from question_engine.jobs import CODE_TESTS_JOB, job_filename, job_source  # noqa: E402
from sandbox import Call, Job, Limits, get_client  # noqa: E402

NAME = "code marking"
QUESTION = load_question(ROOT / "bank" / "code-layer-norm")
PART = code_part(QUESTION, "impl")
PARAMS = {**dict(QUESTION.paper_params), "form": "module"}
TESTS = PART.tests(PARAMS)
PLANS = [plan_for(test, PART.entry(PARAMS)) for test in TESTS]


def mark_isolated() -> None:
    result = mark_code_part(QUESTION, "impl", PARAMS, PART.solution)
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--submissions, --fresh, --clients."""
    parser.add_argument(
        "--submissions", type=int, help="submissions per measurement (60; quick 10)"
    )
    parser.add_argument("--fresh", type=int, help="fresh-interpreter submissions (3; quick 1)")
    parser.add_argument("--clients", type=int, default=8, help="submissions in flight")


def run(arguments: argparse.Namespace) -> Report:
    """The three ways of marking, timed in one run; the isolated one against its targets."""
    import django

    django.setup()
    submissions = arguments.submissions or (10 if arguments.quick else 60)
    fresh_runs = arguments.fresh or (1 if arguments.quick else 3)
    isolated = measure(mark_isolated, submissions, arguments.clients)
    one_job = measure(mark_in_one_job, submissions, arguments.clients)
    fresh = measure(mark_in_a_fresh_interpreter, fresh_runs, min(arguments.clients, 2))
    figures = [
        Figure(
            f"whole code markings/s (LayerNorm, {len(TESTS)} tests isolated, "
            f"{arguments.clients} in flight)",
            isolated["per_s"],
            "/s",
            20.0,
            higher_is_better=True,
        ),
        Figure(f"code marking p50, tests isolated ({len(TESTS)} jobs)", isolated["p50_ms"], "ms"),
        Figure("code marking p95, tests isolated", isolated["p95_ms"], "ms"),
        Figure("code marking p50, all tests in one job", one_job["p50_ms"], "ms"),
        Figure("code marking p50, fresh interpreter", fresh["p50_ms"], "ms"),
        Figure(
            "isolated vs fresh interpreter, p50 latency",
            fresh["p50_ms"] / isolated["p50_ms"],
            "×",
        ),
    ]
    return Report(
        figures,
        {
            "submissions": submissions,
            "fresh_runs": fresh_runs,
            "clients": arguments.clients,
            "isolated": isolated,
            "one_job": one_job,
            "fresh": fresh,
        },
    )


if __name__ == "__main__":
    sys.exit(bench_main(NAME, __doc__, add_arguments, run))

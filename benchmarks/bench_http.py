"""End to end over HTTP on the production stack: submit → marked, numeric part and code part.

Run: ``.venv/bin/python benchmarks/bench_http.py [--quick] [--samples 100] [--port P]
[--json PATH]``.

Starts the stack the way `make run` does (`python -m config.devstack`, a temporary
TENSORGRADE_VAR_DIR with the demo content, free ports; see benchmarks/stack.py), creates a
course API key with `manage.py course_api_key`, enrols students through the REST roster
(`PUT …/enrolments/<id>/`) and then, one submission at a time, times `POST
attempts/<id>/submissions/` until `GET submissions/<id>/?wait=…` (the long-poll the attempt
page uses: it answers as soon as the mark is stored) says `graded`. Two
kinds: the numeric demo question (`demo-linear-neuron`, two numeric parts) and the LayerNorm
code part (`code-layer-norm`, the bank's correct solution, every test in its own sandbox job).
Each student practises one attempt per question and submits at most 40 times to each, under
the course's default limit of 100 submissions an hour. Targets: p50 ≤ 30 ms numeric, ≤ 100 ms
code.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import RESULTS_DIR, Figure, Report, bench_main, percentile  # noqa: E402
from benchmarks.stack import (  # noqa: E402
    CODE_PART,
    CODE_QUESTION,
    CODE_SOLUTION,
    COURSE,
    FINAL_STATUSES,
    NUMERIC_ANSWERS,
    NUMERIC_QUESTION,
    Stack,
    api_headers,
)

STACK_LOG = RESULTS_DIR / "http-stack.log"
NAME = "end to end (HTTP)"
PER_STUDENT = 40
READY_TIMEOUT_S = 120.0
WAIT_S = 20
"""The `wait` of each status read (seconds; the service caps it at SUBMISSION_WAIT_MAX_S)."""
KINDS = {
    "numeric": (NUMERIC_QUESTION, NUMERIC_ANSWERS, 30.0),
    "code": (CODE_QUESTION, {CODE_PART: CODE_SOLUTION}, 100.0),
}


class BenchError(Exception):
    """The API answered something a benchmark cannot go on from (status and body named)."""


def checked(response: httpx.Response, *expected: int) -> dict:
    """The JSON body of `response`; raises BenchError unless its status is in `expected`."""
    if response.status_code not in expected:
        raise BenchError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json()


def enrol(client: httpx.Client, external_id: str) -> None:
    """Enrol `external_id` as a student through the REST roster (201 new, 200 known)."""
    checked(
        client.put(f"/courses/{COURSE}/enrolments/{external_id}/", json={"role": "student"}),
        200,
        201,
    )


def start_attempt(client: httpx.Client, external_id: str, question: str) -> int:
    """The id of the student's practice attempt at `question` (started or resumed)."""
    body = checked(
        client.post(
            f"/courses/{COURSE}/attempts/", json={"question": question, "student": external_id}
        ),
        200,
        201,
    )
    return body["id"]


def wait_until_ready(client: httpx.Client, attempt_id: int) -> None:
    """Ask for the attempt until its question's variant is built (`variant_status` `ready`),
    as a client does after starting an attempt (docs/lms.md, "Variants being prepared")."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        body = checked(client.get(f"/attempts/{attempt_id}/"), 200)
        statuses = {question["variant_status"] for question in body["questions"]}
        if statuses == {"ready"}:
            return
        if "failed" in statuses:
            raise BenchError(f"attempt {attempt_id}: a variant failed to build: {body}")
        time.sleep(0.1)
    raise BenchError(f"attempt {attempt_id}: the variant was not built in {READY_TIMEOUT_S} s")


def submit_and_wait(
    client: httpx.Client, attempt_id: int, answers: dict[str, str]
) -> tuple[float, str]:
    """Submit `answers` and long-poll until the submission is final: (milliseconds, status)."""
    started = time.perf_counter()
    body = checked(
        client.post(
            f"/attempts/{attempt_id}/submissions/",
            json={"answers": answers},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ),
        202,
    )
    while True:
        state = checked(client.get(f"/submissions/{body['id']}/", params={"wait": WAIT_S}), 200)
        if state["status"] in FINAL_STATUSES:
            return (time.perf_counter() - started) * 1000, state["status"]


def measure_kind(
    client: httpx.Client, kind: str, samples: int, students: list[str]
) -> dict[str, float]:
    """`samples` submissions of `kind` one after another: p50/p95 ms and how many failed."""
    question, answers, _ = KINDS[kind]
    attempts = {student: start_attempt(client, student, question) for student in students}
    for attempt_id in attempts.values():
        wait_until_ready(client, attempt_id)
    submit_and_wait(client, attempts[students[0]], answers)  # warm-up, not counted
    latencies, failed = [], 0
    for index in range(samples):
        milliseconds, status = submit_and_wait(
            client, attempts[students[index // PER_STUDENT]], answers
        )
        latencies.append(milliseconds)
        failed += status != "graded"
        time.sleep(0.05)  # as between real submissions: the sandbox forks its next idle child
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies),
        "failed": failed,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--samples, --port."""
    parser.add_argument("--samples", type=int, help="submissions per kind (100; quick 10)")
    parser.add_argument("--port", type=int, help="web port (default: a free one)")


def run(arguments: argparse.Namespace) -> Report:
    """Start the stack, measure both kinds, stop the stack."""
    samples = arguments.samples or (10 if arguments.quick else 100)
    with (
        Stack(port=arguments.port, keep_log=STACK_LOG) as stack,
        httpx.Client(
            base_url=f"{stack.base_url}/api/v1", headers=api_headers(stack.api_key), timeout=60
        ) as client,
    ):
        students = [f"bench-e2e-{i}" for i in range(-(-samples // PER_STUDENT) + 1)]
        for student in students:
            enrol(client, student)
        results = {kind: measure_kind(client, kind, samples, students) for kind in KINDS}
    figures = []
    for kind, (_, _, target) in KINDS.items():
        failed = results[kind]["failed"]
        note = f"{failed} not graded" if failed else ""
        figures.append(
            Figure(
                f"submit → marked p50, {kind} part",
                results[kind]["p50_ms"],
                "ms",
                target,
                note=note,
            )
        )
        figures.append(Figure(f"submit → marked p95, {kind} part", results[kind]["p95_ms"], "ms"))
    return Report(
        figures,
        {"samples": samples, "wait_s": WAIT_S, "stack_log": str(STACK_LOG), **results},
    )


if __name__ == "__main__":
    sys.exit(bench_main(NAME, __doc__, add_arguments, run))

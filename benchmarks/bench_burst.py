"""Deadline burst: N students each start an attempt and submit one LayerNorm answer within 10 s.

Run: ``.venv/bin/python benchmarks/bench_burst.py [--quick] [--students 300] [--window 10]
[--connections 64] [--drain-timeout 600] [--port P] [--cold] [--json PATH]``.

As at a real deadline, the students opened the question before it (untimed: each starts its
practice attempt through the API and it is waited on until its variant is built, the time
reported as "variants built before the burst"); in the window each one starts the attempt
again (the API resumes the open one) and submits. With `--cold` the attempts are started in the
window instead, so their variants are built during the burst.

Starts the stack the way `make run` does (benchmarks/stack.py), enrols the students through the
REST roster (`PUT …/enrolments/<id>/`, 8 at a time, before the burst, untimed), has one more
student submit once and waits for that mark (so the workers are up, as at a real deadline),
then an asyncio load generator (httpx, at most `--connections` connections to the server, so
requests beyond them wait in the client) starts student i at i × window / N seconds: `POST
…/attempts/` for `code-layer-norm`, `POST attempts/<id>/submissions/` with the bank's correct
solution and an Idempotency-Key (a request that fails to connect is sent again with the same
key, up to 3 times), then waits for the mark as the attempt page does: long polls `GET
submissions/<id>/?wait=25` (answered as soon as the mark is stored), and when one is answered at
once unchanged (the server's waits per process are taken) asks again after 1 s, 2 s, then
every 4 s, until it is `graded` or the drain timeout passes (`error` is waited on: a failure of
ours is retried by the service; how many were seen in `error` is in the JSON).

Reported: submissions accepted (2xx), accepted within the window, marked (`graded`), lost
(accepted but not marked when the drain timeout ends), duplicated (after the burst, attempts
and submissions beyond one per student, counted through the API), drain time (burst start →
last mark seen), submit → marked p50/p95/max (a submission never marked counts as taking
until the drain timeout), attempt start p50/p95 (until its variant is built: the client asks
again every 0.2 s, as docs/lms.md describes), 4xx, 5xx and connection errors. Targets:
drained ≤ 15 s, p95 ≤ 10 s, nothing lost or duplicated, every submission accepted within the
window.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
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
    Stack,
    api_headers,
)

STACK_LOG = RESULTS_DIR / "burst-stack.log"
NAME = "deadline burst"
SEND_TRIES = 3
READY_POLL_S = 1.0
WAIT_S = 25
"""The `wait` of each long poll for the mark (seconds), as the attempt page asks."""
MIN_ROUND_S = 1.0
MAX_ROUND_PAUSE_S = 4.0


@dataclass
class Tally:
    """What the load generator saw, across every student."""

    started: float = 0.0
    accepted: int = 0
    accepted_in_window: int = 0
    marked: int = 0
    final_statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    attempt_ms: list[float] = field(default_factory=list)
    last_mark_s: float = 0.0
    responses: Counter = field(default_factory=Counter)
    connection_errors: int = 0
    refusals: list[str] = field(default_factory=list)
    attempt_ids: dict[str, int] = field(default_factory=dict)
    errors_seen: set[int] = field(default_factory=set)


async def send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: object
) -> httpx.Response | None:
    """One request, sent again (same headers and body) after a connection error, up to
    SEND_TRIES times; counts status classes and connection errors. None if never answered."""
    for _ in range(SEND_TRIES):
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError:
            tally.connection_errors += 1
            await asyncio.sleep(0.2)
            continue
        tally.responses[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 400 and len(tally.refusals) < 5:
            tally.refusals.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
        return response
    return None


def retry_after_s(response: httpx.Response | None) -> float:
    """The pause before asking again: the server's Retry-After, else READY_POLL_S."""
    try:
        return float(response.headers["Retry-After"]) if response is not None else READY_POLL_S
    except (KeyError, ValueError):
        return READY_POLL_S


def variant_statuses(response: httpx.Response) -> set[str]:
    """The `variant_status` of every question of an attempt as the API answered it."""
    return {question["variant_status"] for question in response.json()["questions"]}


async def attempt_ready(
    client: httpx.AsyncClient, tally: Tally, attempt_id: int, deadline: float = math.inf
) -> httpx.Response | None:
    """Ask for the attempt until its questions' variants are built or one failed, as a client
    does (docs/lms.md, "Variants being prepared": again after Retry-After); that last answer,
    or None when `deadline` (a `time.perf_counter()` value) passes first."""
    while time.perf_counter() < deadline:
        polled = await send(client, tally, "GET", f"/attempts/{attempt_id}/")
        if polled is not None and polled.status_code == 200:
            statuses = variant_statuses(polled)
            if statuses == {"ready"} or "failed" in statuses:
                return polled
        await asyncio.sleep(retry_after_s(polled))
    return None


async def open_all(client: httpx.AsyncClient, students: list[str]) -> float:
    """Each student starts their attempt before the deadline and it is waited on until its
    variant is built (as in an exam, where the question was opened long before the last
    minute); returns the seconds it took (untimed in the burst's figures)."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    started = time.perf_counter()
    setup = Tally(started=started)

    async def open_one(external_id: str) -> None:
        async with gate:
            body = await checked(
                client,
                "POST",
                f"/courses/{COURSE}/attempts/",
                (200, 201),
                json={"question": CODE_QUESTION, "student": external_id},
            )
        polled = await attempt_ready(client, setup, body["id"])
        if polled is not None and "failed" in variant_statuses(polled):
            raise SystemExit(f"a variant failed to build: {polled.text[:500]}")

    await asyncio.gather(*(open_one(name) for name in students))
    return time.perf_counter() - started


async def student(
    client: httpx.AsyncClient,
    tally: Tally,
    external_id: str,
    at_s: float,
    window_s: float,
    drain_deadline: float,
) -> None:
    """One student: wait for their moment, start an attempt, submit once, follow the mark."""
    await asyncio.sleep(max(0.0, tally.started + at_s - time.perf_counter()))
    begun = time.perf_counter()
    response = await send(
        client,
        tally,
        "POST",
        f"/courses/{COURSE}/attempts/",
        json={"question": CODE_QUESTION, "student": external_id},
    )
    if response is None or response.status_code not in (200, 201):
        return
    attempt_id = response.json()["id"]
    tally.attempt_ids[external_id] = attempt_id
    # The attempt's time counts until it is ready to answer.
    polled = await attempt_ready(client, tally, attempt_id, drain_deadline)
    if polled is not None and "failed" in variant_statuses(polled):
        return
    tally.attempt_ms.append((time.perf_counter() - begun) * 1000)
    submitted = time.perf_counter()
    response = await send(
        client,
        tally,
        "POST",
        f"/attempts/{attempt_id}/submissions/",
        json={"answers": {CODE_PART: CODE_SOLUTION}},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    if response is None or response.status_code not in (200, 202):
        return
    tally.accepted += 1
    if time.perf_counter() - tally.started <= window_s:
        tally.accepted_in_window += 1
    submission_id = response.json()["id"]
    status = "pending"
    round_pause_s = MIN_ROUND_S
    while time.perf_counter() < drain_deadline:
        asked = time.perf_counter()
        polled = await send(
            client, tally, "GET", f"/submissions/{submission_id}/", params={"wait": WAIT_S}
        )
        if polled is None or polled.status_code != 200:
            await asyncio.sleep(MIN_ROUND_S)
            continue
        status = polled.json()["status"]
        if status != "graded" and time.perf_counter() - asked < MIN_ROUND_S:
            # Answered at once, unchanged: the server held no wait for it (its waits per
            # process were taken). As the attempt page does: ask again after 1, 2, 4 s.
            await asyncio.sleep(round_pause_s)
            round_pause_s = min(round_pause_s * 2, MAX_ROUND_PAUSE_S)
        else:
            round_pause_s = MIN_ROUND_S
        if status == "error":
            tally.errors_seen.add(submission_id)
        if status == "graded":
            break
    tally.final_statuses[status] += 1
    now = time.perf_counter()
    if status == "graded":
        tally.marked += 1
        tally.last_mark_s = max(tally.last_mark_s, now - tally.started)
    else:
        now = max(now, drain_deadline)  # never marked: at least until the drain timeout
    tally.latencies_ms.append((now - submitted) * 1000)


SETUP_CONCURRENCY = 8


async def checked(
    client: httpx.AsyncClient, method: str, url: str, expected: tuple[int, ...], **kwargs: object
) -> dict:
    """A setup or check request (retried after connection errors); its JSON body. Raises
    SystemExit naming the request when it is never answered or answers another status."""
    response = await send(client, Tally(), method, url, **kwargs)
    if response is None or response.status_code not in expected:
        answer = "no answer" if response is None else f"{response.status_code} {response.text}"
        raise SystemExit(f"{method} {url}: {answer[:500]}")
    return response.json()


async def enrol_all(client: httpx.AsyncClient, students: list[str]) -> None:
    """Enrol every student through the REST roster, SETUP_CONCURRENCY requests at a time."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def enrol(external_id: str) -> None:
        async with gate:
            await checked(
                client,
                "PUT",
                f"/courses/{COURSE}/enrolments/{external_id}/",
                (200, 201),
                json={"role": "student"},
            )

    await asyncio.gather(*(enrol(s) for s in students))


async def duplicates(client: httpx.AsyncClient, tally: Tally) -> int:
    """Attempts and submissions stored beyond one per student, counted through the API."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def extra(external_id: str, attempt_id: int) -> int:
        async with gate:
            listed = await checked(
                client,
                "GET",
                f"/courses/{COURSE}/attempts/",
                (200,),
                params={"student": external_id, "question": CODE_QUESTION},
            )
            attempt = await checked(client, "GET", f"/attempts/{attempt_id}/", (200,))
        return max(0, len(listed["results"]) - 1) + max(0, len(attempt["submissions"]) - 1)

    found = await asyncio.gather(*(extra(s, a) for s, a in tally.attempt_ids.items()))
    return sum(found)


async def burst(
    base_url: str,
    api_key: str,
    students: int,
    window_s: float,
    connections: int,
    drain_timeout_s: float,
    opened_before: bool,
) -> tuple[Tally, int, float | None]:
    """Enrol, open the attempts beforehand (`opened_before`), run the burst, count duplicates:
    (tally, duplicated, seconds the variants took to build beforehand or None)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=f"{base_url}/api/v1",
        headers=api_headers(api_key),
        limits=limits,
        timeout=httpx.Timeout(60.0, pool=None),
    ) as client:
        names = [f"bench-burst-{i}" for i in range(students)]
        await enrol_all(client, [*names, "bench-burst-warm-up"])
        warm_up = Tally(started=time.perf_counter())
        await student(
            client, warm_up, "bench-burst-warm-up", 0.0, window_s, time.perf_counter() + 600
        )
        if warm_up.marked != 1:
            raise SystemExit(f"the warm-up submission was not marked: {warm_up}")
        prepared_s = await open_all(client, names) if opened_before else None
        tally = Tally(started=time.perf_counter())
        drain_deadline = tally.started + drain_timeout_s
        await asyncio.gather(
            *(
                student(client, tally, name, i * window_s / students, window_s, drain_deadline)
                for i, name in enumerate(names)
            )
        )
        return tally, await duplicates(client, tally), prepared_s


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--students, --window, --connections, --drain-timeout, --port."""
    parser.add_argument("--students", type=int, help="students in the burst (300; quick 20)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds the arrivals span")
    parser.add_argument("--connections", type=int, default=64, help="client connection limit")
    parser.add_argument(
        "--drain-timeout", type=float, default=600.0, help="seconds to wait for every mark"
    )
    parser.add_argument("--port", type=int, help="web port (default: a free one)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="students start their attempts inside the burst (their variants are built then) "
        "instead of having opened them before the deadline",
    )


def run(arguments: argparse.Namespace) -> Report:
    """Start the stack, run the burst, stop the stack; figures against the targets."""
    students = arguments.students or (20 if arguments.quick else 300)
    with Stack(port=arguments.port, keep_log=STACK_LOG) as stack:
        tally, duplicated, prepared_s = asyncio.run(
            burst(
                stack.base_url,
                stack.api_key,
                students,
                arguments.window,
                arguments.connections,
                arguments.drain_timeout,
                not arguments.cold,
            )
        )
    lost = tally.accepted - tally.marked
    drained = tally.last_mark_s if lost == 0 and tally.marked else arguments.drain_timeout
    latencies = tally.latencies_ms or [float("nan")]
    attempts = tally.attempt_ms or [float("nan")]
    figures = [
        Figure(f"students ({arguments.window:g} s window)", students, "count"),
        Figure(
            "accepted within the window",
            tally.accepted_in_window,
            "count",
            students,
            higher_is_better=True,
        ),
        Figure("accepted", tally.accepted, "count", students, higher_is_better=True),
        Figure("marked", tally.marked, "count", students, higher_is_better=True),
        Figure("lost (not marked by the drain timeout)", lost, "count", 0),
        Figure("duplicated", duplicated, "count", 0),
        Figure(
            "drain time (burst start → last mark)",
            drained,
            "s",
            15.0,
            note="" if lost == 0 else "not drained: the drain timeout",
        ),
        Figure("submit → marked p50", statistics.median(latencies) / 1000, "s"),
        Figure("submit → marked p95", percentile(latencies, 0.95) / 1000, "s", 10.0),
        Figure("submit → marked max", max(latencies) / 1000, "s"),
        Figure("attempt start (or resume) until ready p50", statistics.median(attempts), "ms"),
        Figure("attempt start (or resume) until ready p95", percentile(attempts, 0.95), "ms"),
        Figure(
            "variants built before the burst (attempts opened beforehand)",
            prepared_s if prepared_s is not None else float("nan"),
            "s",
            note="--cold: none, the attempts start in the burst" if prepared_s is None else "",
        ),
        Figure("4xx responses", tally.responses["4xx"], "count", 0),
        Figure("5xx responses", tally.responses["5xx"], "count", 0),
        Figure("connection errors", tally.connection_errors, "count", 0),
    ]
    return Report(
        figures,
        {
            "students": students,
            "window_s": arguments.window,
            "opened_before": not arguments.cold,
            "connections": arguments.connections,
            "responses": dict(tally.responses),
            "final_statuses": dict(tally.final_statuses),
            "submissions_seen_in_error": len(tally.errors_seen),
            "first_refusals": tally.refusals,
            "stack_log": str(STACK_LOG),
        },
    )


if __name__ == "__main__":
    sys.exit(bench_main(NAME, __doc__, add_arguments, run))

"""A job cannot use more than its share of the cores, however many threads it starts."""

from __future__ import annotations

import math

import pytest

from sandbox import Call, Job, Limits
from sandbox.cpu_limit import MIN_SHARE_CORES, cpu_share
from tests.sandbox.conftest import WORKERS, assert_healthy

# hashlib releases the GIL on large buffers, so the threads really run in parallel.
BUSY_THREADS = """
import hashlib, resource, threading, time

BLOCK = bytes(1 << 20)

def spin(until):
    while time.monotonic() < until:
        hashlib.sha256(BLOCK).digest()

def busy(threads, seconds):
    started = time.monotonic()
    until = started + seconds
    running = []
    for _ in range(threads):
        try:
            thread = threading.Thread(target=spin, args=(until,))
            thread.start()
            running.append(thread)
        except RuntimeError:  # no cgroup quota: the thread count is capped instead
            break
    spin(until)
    for thread in running:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return [usage.ru_utime + usage.ru_stime, time.monotonic() - started, len(running)]
"""


@pytest.mark.parametrize(
    ("workers", "cores", "share"),
    [(2, 2, 1.0), (1, 2, 2.0), (1, 4, 4.0), (3, 2, 0.667), (8, 2, MIN_SHARE_CORES)],
)
def test_the_share_is_cores_per_worker_with_a_floor(workers, cores, share):
    assert cpu_share(workers, cores) == share


@pytest.mark.parametrize("runtime", ["torch", "numpy"])
def test_busy_threads_get_no_more_than_the_jobs_share(sandbox_server, runtime):
    share = cpu_share(WORKERS)
    limits = Limits(wall_time_s=60.0, cpu_time_s=30.0)
    job = Job(BUSY_THREADS, [Call("busy", (4, 1.5))], limits, runtime=runtime)
    result = sandbox_server.client.run(job)
    assert result.status == "ok", result
    cpu_s, wall_s, threads = result.outputs[0]
    capped = "RLIMIT_NPROC" in sandbox_server.log_tail(100_000)
    assert threads == (max(1, math.floor(share)) - 1 if capped else 4)
    # Five busy threads on this machine's cores would use up to cores x wall seconds; the
    # quota allows share x wall (generous slack for the quota period and accounting).
    allowed = max(share, 1.0 if capped else 0.0) * wall_s * 1.25 + 0.25
    assert cpu_s <= allowed, f"{cpu_s:.2f} s of CPU in {wall_s:.2f} s with a {share} core share"
    assert_healthy(sandbox_server)

"""No job can read an earlier job's data from its own memory (one slot, reused by every job).

Earlier jobs on the slot put unique markers in their code, arguments, return values, stdout
and stderr. A job that scans all of its readable memory (``memory_scan.py``) then finds none
of them, in either runtime, while it does find the controls it holds itself.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator

import pytest

from sandbox import Call, Job, Limits
from sandbox.local_server import LocalServer
from sandbox.runtimes import RUNTIMES
from tests.sandbox.conftest import NEEDS_ROOT, requires_root
from tests.sandbox.memory_scan import MARKER_LENGTH, MARKER_PREFIX, SCAN_JOB

pytestmark = requires_root

SCAN_LIMITS = Limits(wall_time_s=120.0, cpu_time_s=120.0, memory_mb=1024)

EARLIER_JOB = """
import sys

SECRET = "{code}"

def reveal(argument, returned_reversed, printed_reversed, logged_reversed):
    print(printed_reversed[::-1])
    print(logged_reversed[::-1], file=sys.stderr)
    return [len(SECRET), len(argument), returned_reversed[::-1]]
"""


@pytest.fixture(scope="module")
def single_slot_server() -> Iterator[LocalServer]:
    if os.geteuid() != 0:
        pytest.skip(f"the sandbox server {NEEDS_ROOT}")
    server = LocalServer(workers=1)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


def marker() -> str:
    return MARKER_PREFIX + secrets.token_hex(MARKER_LENGTH)[: MARKER_LENGTH - len(MARKER_PREFIX)]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_earlier_job(server: LocalServer, runtime: str) -> dict[str, str]:
    """Run a job that holds five markers; return them by where they were."""
    markers = {place: marker() for place in ("code", "argument", "returned", "stdout", "stderr")}
    arguments = (
        markers["argument"],
        markers["returned"][::-1],
        markers["stdout"][::-1],
        markers["stderr"][::-1],
    )
    code = EARLIER_JOB.format(code=markers["code"])
    job = Job(code, [Call("reveal", arguments)], runtime=runtime)
    result = server.client.run(job)
    assert result.status == "ok", result
    assert result.outputs[0][2] == markers["returned"]
    assert markers["stdout"] in result.stdout and markers["stderr"] in result.stderr
    return {f"{runtime} job's {place}": value for place, value in markers.items()}


def scan(server: LocalServer, runtime: str, earlier: dict[str, str]) -> tuple[set[str], dict]:
    """Run the scanning job; return the names of the markers it found and its controls."""
    controls = {f"control in {place}": marker() for place in ("heap", "anonymous", "malloc")}
    names = {digest(value): name for name, value in {**earlier, **controls}.items()}
    arguments = (
        sorted(names),
        controls["control in heap"],
        controls["control in anonymous"][::-1],
        controls["control in malloc"][::-1],
    )
    job = Job(SCAN_JOB, [Call("scan", arguments)], limits=SCAN_LIMITS, runtime=runtime)
    result = server.client.run(job)
    assert result.status == "ok", result
    report = result.outputs[0]
    assert report["ranges"] > 10 and report["scanned_bytes"] > 20 << 20, report
    return {names[found] for found in report["found"]}, controls


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_job_scanning_its_memory_finds_nothing_of_earlier_jobs(single_slot_server, runtime):
    earlier = {}
    for earlier_runtime in RUNTIMES:
        earlier |= run_earlier_job(single_slot_server, earlier_runtime)
    found, controls = scan(single_slot_server, runtime, earlier)
    # The scan sees what the job holds (an argument, an anonymous mapping, the malloc heap)...
    assert found >= set(controls), f"the scan missed its own controls: {found}"
    # ...and nothing of the jobs before it.
    assert found.isdisjoint(earlier), f"found earlier jobs' data: {sorted(found & set(earlier))}"
    # Not even what the previous scan planted in its own memory.
    earlier_controls = {f"previous scan's {name}": value for name, value in controls.items()}
    found_again, _ = scan(single_slot_server, runtime, earlier_controls)
    assert found_again.isdisjoint(earlier_controls), sorted(found_again)

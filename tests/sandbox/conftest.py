"""A real sandbox server per test module, plus helpers to check it is still healthy."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import numpy as np
import pytest

from sandbox import Call, Job, JobResult, Limits, SandboxClient
from sandbox.local_server import LocalServer
from sandbox.runtimes import RUNTIMES

WORKERS = 2
NEEDS_ROOT = "needs root: namespaces, mounts and uid switching (run pytest as root to include it)"
# For tests (or modules) that need root; the unprivileged tests beside them still run.
requires_root = pytest.mark.skipif(os.geteuid() != 0, reason=NEEDS_ROOT)
# Polling waits for processes to come and go; generous so a loaded machine does not fail them.
SETTLE_TIMEOUT_S = 30.0

HEALTH_CODE = """
import torch

def normalise(x):
    t = torch.from_numpy(x).requires_grad_(True)
    y = torch.nn.functional.layer_norm(t, t.shape[-1:])
    (y * y).sum().backward()
    return y.detach(), t.grad
"""


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[LocalServer]:
    if os.geteuid() != 0:
        pytest.skip(f"the sandbox server {NEEDS_ROOT}")
    server = LocalServer(workers=WORKERS)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sandbox_client(sandbox_server: LocalServer) -> SandboxClient:
    return sandbox_server.client


def run(client: SandboxClient, code: str, *calls: Call, **limits: float) -> JobResult:
    return client.run(Job(code=code, calls=list(calls), limits=Limits(**limits)))


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process on the host: pid -> (parent pid, real uid, state letter such as "Z")."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as status:
                lines = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        state = lines["State"].split()[0]
        found[int(name)] = (int(lines["PPid"]), int(lines["Uid"].split()[0]), state)
    return found


def descendants(ancestor: int, table: dict[int, tuple[int, int, str]] | None = None) -> list[int]:
    """Processes below ``ancestor`` (children, grandchildren, ...) in ``table`` (default: now)."""
    table = processes() if table is None else table
    below = []
    for pid in table:
        parent = table[pid][0]
        while parent in table and parent != ancestor and parent > 1:
            parent = table[parent][0]
        if parent == ancestor:
            below.append(pid)
    return below


def children(parent: int) -> list[int]:
    return [pid for pid, (ppid, _, _) in processes().items() if ppid == parent]


def job_process_count(server: LocalServer) -> int:
    """Processes of the server running as a slot uid: jobs, and the idle pre-forked children
    (the supervisors and their templates run as root)."""
    table = processes()
    return sum(1 for pid in descendants(server.process.pid, table) if table[pid][1] != 0)


def idle_children_bound() -> int:
    """Each slot keeps one idle child per runtime."""
    return WORKERS * len(RUNTIMES)


def assert_healthy(server: LocalServer) -> None:
    """A normal LayerNorm job still returns the right answer and no job process lingers."""
    client = server.client
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.5, -1.0]])
    result = run(client, HEALTH_CODE, Call("normalise", (x,)))
    assert result.status == "ok", result
    mean = x.mean(axis=1, keepdims=True)
    expected = (x - mean) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(result.outputs[0][0], expected, rtol=1e-10)
    assert result.outputs[0][1].shape == x.shape
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while job_process_count(server) > idle_children_bound() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job_process_count(server) <= idle_children_bound()

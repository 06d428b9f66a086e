"""Sandbox latency and throughput for a LayerNorm forward+backward job, vs a fresh process.

Run: ``.venv/bin/python benchmarks/bench_sandbox.py [--quick] [--jobs 300] [--fresh 5]
[--workers N] [--json PATH]`` (as root, so every isolation layer is on). Uses SANDBOX_SOCKET
when set, otherwise starts a local server. Measures p50/p95 latency (one job at a time) and
jobs/s (2 jobs in flight per slot) for the job in the torch runtime (autograd) and in the numpy
runtime (the same step with the backward pass written out), and the same job as a fresh
``python`` process in the same run: the ratio targets >= 100x, the p50 <= 15 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import Figure, Report, bench_main, percentile  # noqa: E402
from sandbox import Call, Job, SandboxClient  # noqa: E402
from sandbox.client import socket_from_environment  # noqa: E402
from sandbox.local_server import LocalServer  # noqa: E402
from sandbox.server_config import default_workers  # noqa: E402

LAYER_NORM_JOB = """
import torch

def layer_norm_step(x, gamma, beta):
    x = torch.from_numpy(x).requires_grad_(True)
    gamma = torch.from_numpy(gamma).requires_grad_(True)
    beta = torch.from_numpy(beta).requires_grad_(True)
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + 1e-5) * gamma + beta
    (y * y).sum().backward()
    return y.detach(), x.grad, gamma.grad, beta.grad
"""

NUMPY_LAYER_NORM_JOB = """
import numpy as np

def layer_norm_step(x, gamma, beta):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + 1e-5)
    x_hat = centred * inv_std
    y = x_hat * gamma + beta
    dy = 2.0 * y
    dx_hat = dy * gamma
    n = x.shape[-1]
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(-1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(-1, keepdims=True))
    return y, dx, (dy * x_hat).sum(0), dy.sum(0)
"""

FRESH_PROCESS_SCRIPT = (
    LAYER_NORM_JOB
    + """
import numpy as np
rng = np.random.default_rng(0)
outputs = layer_norm_step(rng.standard_normal((16, 32)), rng.random(32), rng.random(32))
print(float(outputs[0].sum()))
"""
)


NAME = "sandbox"


def make_job(runtime: str = "torch") -> Job:
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((16, 32)), rng.random(32), rng.random(32))
    code = LAYER_NORM_JOB if runtime == "torch" else NUMPY_LAYER_NORM_JOB
    return Job(code, [Call("layer_norm_step", args)], runtime=runtime)


def timed_job(client: SandboxClient, job: Job) -> float:
    started = time.perf_counter()
    result = client.run(job)
    elapsed = (time.perf_counter() - started) * 1000
    if result.status != "ok":
        raise SystemExit(f"benchmark job failed: {result.status} {result.error}")
    return elapsed


def measure_sandbox(
    client: SandboxClient, jobs: int, concurrency: int, runtime: str
) -> dict[str, float]:
    job = make_job(runtime)
    for _ in range(10):
        timed_job(client, job)
    latencies = []
    for _ in range(jobs):
        latencies.append(timed_job(client, job))
        time.sleep(0.01)  # let the slot fork its next idle child, as between real submissions
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: timed_job(client, job), range(jobs)))
    throughput = jobs / (time.perf_counter() - started)
    return {
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "jobs_per_s": throughput,
    }


def measure_fresh_process(runs: int) -> dict[str, float]:
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", FRESH_PROCESS_SCRIPT],
            check=True,
            capture_output=True,
            env={"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1"},
        )
        latencies.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(latencies), "jobs_per_s": 1000 / statistics.mean(latencies)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--jobs, --fresh, --workers."""
    parser.add_argument("--jobs", type=int, help="jobs per sandbox measurement (300; quick 40)")
    parser.add_argument("--fresh", type=int, help="fresh-interpreter runs (5; quick 2)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="server slots")


def run(arguments: argparse.Namespace) -> Report:
    """Sandbox p50/p95 and jobs/s for both runtimes and a fresh interpreter, in one run."""
    jobs = arguments.jobs or (40 if arguments.quick else 300)
    fresh_runs = arguments.fresh or (2 if arguments.quick else 5)
    socket_path = socket_from_environment()
    server = None
    if socket_path is None:
        server = LocalServer(workers=arguments.workers)
        server.wait_until_ready()
        socket_path = server.socket_path
    client = SandboxClient(socket_path)
    concurrency = 2 * arguments.workers
    try:
        sandbox = {
            runtime: measure_sandbox(client, jobs, concurrency, runtime)
            for runtime in ("torch", "numpy")
        }
    finally:
        if server is not None:
            server.stop()
    fresh = measure_fresh_process(fresh_runs)
    torch_job = sandbox["torch"]
    slots = f"{arguments.workers} slots, {concurrency} jobs in flight"
    figures = [
        Figure("sandbox job p50 (LayerNorm fwd+bwd, torch)", torch_job["p50_ms"], "ms", 15.0),
        Figure("sandbox job p95 (torch)", torch_job["p95_ms"], "ms"),
        Figure(f"sandbox jobs/s (torch; {slots})", torch_job["jobs_per_s"], "/s"),
        Figure("fresh interpreter per job p50", fresh["p50_ms"], "ms"),
        Figure(
            "sandbox vs fresh interpreter, p50 latency",
            fresh["p50_ms"] / torch_job["p50_ms"],
            "×",
            100.0,
            higher_is_better=True,
        ),
        Figure(
            "sandbox vs fresh interpreter, jobs/s",
            torch_job["jobs_per_s"] / fresh["jobs_per_s"],
            "×",
            note="fresh interpreters one at a time",
        ),
        Figure("sandbox job p50 (numpy runtime)", sandbox["numpy"]["p50_ms"], "ms"),
        Figure("sandbox jobs/s (numpy runtime)", sandbox["numpy"]["jobs_per_s"], "/s"),
    ]
    return Report(
        figures,
        {
            "jobs": jobs,
            "fresh_runs": fresh_runs,
            "workers": arguments.workers,
            "sandbox": sandbox,
            "fresh": fresh,
        },
    )


if __name__ == "__main__":
    sys.exit(bench_main(NAME, __doc__, add_arguments, run))

"""Runtimes: a numpy job cannot load torch, functorch, torchgen, sympy or mpmath by any route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap

import numpy as np
import pytest
import torch

from sandbox import Call, Job
from sandbox.runtimes import (
    RUNTIMES,
    blocked_package_dirs,
    check_runtime,
    hidden_package_dirs,
)
from tests.sandbox.conftest import assert_healthy

LIBTORCH = os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so")

ESCAPES = f"""
import ctypes, importlib, importlib.util, sys

def attempt(action):
    try:
        action()
        return "loaded"
    except BaseException as exc:
        return type(exc).__name__

def escape():
    return {{
        "torch already loaded": "torch" in sys.modules,
        "import torch": attempt(lambda: __import__("torch")),
        "import torch.nn": attempt(lambda: __import__("torch.nn")),
        "import functorch": attempt(lambda: __import__("functorch")),
        "import torchgen": attempt(lambda: __import__("torchgen")),
        "importlib sympy": attempt(lambda: importlib.import_module("sympy")),
        "importlib mpmath": attempt(lambda: importlib.import_module("mpmath")),
        "spec from file": attempt(lambda: importlib.util.spec_from_file_location(
            "t", {os.path.join(os.path.dirname(torch.__file__), "version.py")!r}
        ).loader.load_module()),
        "ctypes libtorch": attempt(lambda: ctypes.CDLL({LIBTORCH!r})),
    }}
"""

NUMPY_WORKS = """
import numpy as np

def solve(a, b):
    return np.linalg.solve(a, b)
"""


def test_runtime_names_are_checked():
    assert check_runtime("numpy") == "numpy"
    with pytest.raises(ValueError, match="unknown runtime 'jax'; use one of 'torch', 'numpy'"):
        check_runtime("jax")
    with pytest.raises(ValueError, match="Job.runtime: unknown runtime"):
        Job("x = 1", runtime="jax")


def test_the_numpy_runtime_hides_the_installed_torch_and_sympy_directories():
    hidden = hidden_package_dirs("numpy")
    torch_dir = os.path.dirname(torch.__file__)
    assert torch_dir in hidden and os.path.dirname(LIBTORCH).startswith(torch_dir)
    names = {os.path.basename(path) for path in hidden}
    assert {"torch", "functorch", "torchgen", "sympy", "mpmath"} <= names
    assert any(name.startswith("torch-") and name.endswith(".dist-info") for name in names)
    assert set(blocked_package_dirs("numpy")) <= set(hidden)
    assert {os.path.basename(path) for path in hidden_package_dirs("torch")} >= {"sklearn"}
    assert not any("torch" in os.path.basename(path) for path in hidden_package_dirs("torch"))


def test_job_wire_header_carries_the_runtime():
    header, _ = Job("x = 1", runtime="numpy").to_wire()
    assert header["runtime"] == "numpy"
    assert Job("x = 1").to_wire()[0]["runtime"] == "torch"


def test_a_numpy_job_cannot_load_torch_or_sympy_by_any_route(sandbox_server):
    result = sandbox_server.client.run(Job(ESCAPES, [Call("escape")], runtime="numpy"))
    assert result.status == "ok", result
    outcomes = result.outputs[0]
    assert outcomes.pop("torch already loaded") is False
    assert outcomes.pop("ctypes libtorch") == "OSError"
    assert outcomes.pop("spec from file") == "FileNotFoundError"
    assert set(outcomes.values()) == {"ModuleNotFoundError"}, outcomes


def test_the_same_escapes_load_torch_in_a_torch_job(sandbox_server):
    # The check above could only fail if these routes work where torch is allowed.
    result = sandbox_server.client.run(Job(ESCAPES, [Call("escape")]))
    outcomes = result.outputs[0]
    assert outcomes.pop("torch already loaded") is True
    assert outcomes.pop("importlib sympy") in ("loaded", "ModuleNotFoundError")
    assert outcomes.pop("importlib mpmath") in ("loaded", "ModuleNotFoundError")
    assert set(outcomes.values()) == {"loaded"}, outcomes


def test_numpy_works_in_a_numpy_job_and_tensor_inputs_arrive_as_arrays(sandbox_server):
    a = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = np.array([9.0, 8.0])
    job = Job(NUMPY_WORKS, [Call("solve", (a, b))], runtime="numpy")
    result = sandbox_server.client.run(job)
    assert result.status == "ok", result
    np.testing.assert_allclose(result.outputs[0], [2.0, 3.0])
    assert_healthy(sandbox_server)


def test_the_server_rejects_an_unknown_runtime(sandbox_server):
    job = Job("def f():\n    return 1\n", [Call("f")])
    object.__setattr__(job, "runtime", "jax")  # what a client without the check could send
    with pytest.raises(ValueError, match="rejected the job: unknown runtime 'jax'"):
        sandbox_server.client.run(job)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_cli_run_takes_a_runtime(sandbox_client, tmp_path, runtime):
    script = tmp_path / "job.py"
    script.write_text(
        textwrap.dedent(
            """
            try:
                import torch
                result = "torch " + torch.__version__.split(".")[0]
            except ImportError as exc:
                result = str(exc)
            """
        )
    )
    environment = {**os.environ, "SANDBOX_SOCKET": sandbox_client.socket_path}
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "run", str(script), "--runtime", runtime],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, completed.stderr
    if runtime == "torch":
        assert report["result"] == repr("torch 2")
    else:
        assert "No module named 'torch'" in report["result"]


SITE_PROBE = """
import sys, sysconfig

def probe(base_site):
    found = {}
    sys.path.insert(0, base_site)
    for name in ("sklearn", "sympy", "mpmath"):
        try:
            __import__(name)
            found[name] = "imported"
        except ImportError:
            found[name] = "refused"
    return found
"""


@pytest.mark.parametrize("runtime", ["torch", "numpy"])
def test_no_job_sees_scikit_learn_and_numpy_jobs_no_base_sympy(sandbox_server, runtime):
    """scikit-learn's bundled digits would give away a training test's held-out inputs; the
    base interpreter's site-packages (also bound in a job's root) holds no way round either."""
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    job = Job(SITE_PROBE, [Call("probe", (base["purelib"],))], runtime=runtime)
    found = sandbox_server.client.run(job).outputs[0]
    assert found["sklearn"] == "refused"
    if runtime == "numpy":
        assert found == {"sklearn": "refused", "sympy": "refused", "mpmath": "refused"}


WARM_GENERATORS_JOB = """
import sys

WARM = "numpy.random" in sys.modules

import random

import numpy as np


def draws():
    return [WARM, float(np.random.random()), random.random()]
"""


@pytest.mark.parametrize("runtime", ["torch", "numpy"])
def test_jobs_start_with_numpy_random_loaded_and_their_own_unseeded_draws(sandbox_server, runtime):
    """The templates import numpy.random (every harness needs it), yet no two jobs repeat the
    template's global generators: each child re-seeds them, as a fresh interpreter would."""
    job = Job(WARM_GENERATORS_JOB, [Call("draws")], runtime=runtime)
    first, second = (sandbox_server.client.run(job) for _ in range(2))
    assert first.status == second.status == "ok", (first.error, second.error)
    assert first.outputs[0][0] is True and second.outputs[0][0] is True
    assert first.outputs[0][1] != second.outputs[0][1]
    assert first.outputs[0][2] != second.outputs[0][2]

"""The runtimes a job can ask for: what each one's template imports, and what its jobs cannot see.

A ``torch`` job runs in a process forked from a template that imported numpy and torch. A
``numpy`` job runs in a process forked from a template that never imported torch, and the
installed directories of torch (with functorch and torchgen), sympy and mpmath are covered
by empty read-only mounts in its root, in every site-packages directory (the base
interpreter's too), so no route (``import``, ``importlib``, ``ctypes`` of libtorch, another
``sys.path``) can load them. A question that bans autograd asks for ``numpy``. No job of either
runtime sees scikit-learn, whose bundled digits would let code look up a training test's
held-out inputs.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import sys
import sysconfig

RUNTIMES = ("torch", "numpy")
DEFAULT_RUNTIME = "torch"
# Distributions whose installed directories a runtime's jobs must not see, and top-level
# packages found by import as well (for installs without distribution metadata).
# scikit-learn is hidden from every job: its bundled data sets (the digits) would let code
# look up held-out inputs of training tests.
HIDDEN_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "torch": ("scikit-learn",),
    "numpy": ("torch", "sympy", "mpmath", "scikit-learn"),
}
HIDDEN_PACKAGES: dict[str, tuple[str, ...]] = {
    "torch": ("sklearn",),
    "numpy": ("torch", "functorch", "torchgen", "sympy", "mpmath", "sklearn"),
}
THREAD_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
# Top-level entries a distribution may list that other distributions share.
_SHARED_ENTRIES = frozenset({"..", "__pycache__", ""})
_warm: set[str] = set()


def check_runtime(runtime: object) -> str:
    """Return ``runtime`` if it names a runtime; raise ValueError naming the choices if not."""
    if type(runtime) is not str or runtime not in RUNTIMES:
        choices = ", ".join(repr(name) for name in RUNTIMES)
        raise ValueError(f"unknown runtime {runtime!r}; use one of {choices}")
    return runtime


def _distribution_dirs(name: str) -> set[str]:
    """The top-level entries that every installed copy of distribution ``name`` put on the
    import path (none if it is not installed)."""
    found = set()
    for distribution in importlib.metadata.distributions(name=name):
        tops = {str(path).split("/", 1)[0] for path in distribution.files or ()}
        found |= {str(distribution.locate_file(top)) for top in tops - _SHARED_ENTRIES}
    return found


def _package_dirs(name: str) -> set[str]:
    """Where import would find package ``name`` (without importing it)."""
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            return set(spec.submodule_search_locations)
    return set()


def _site_dirs() -> set[str]:
    """Every site-packages directory a job could put on its import path: this interpreter's
    (a virtualenv's) and its base installation's, which the job's root may also bind."""
    found = set()
    for variables in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=variables) if variables else sysconfig.get_paths()
        found |= {paths["purelib"], paths["platlib"]}
    return {path for path in found if os.path.isdir(path)}


def hidden_package_dirs(runtime: str) -> tuple[str, ...]:
    """Absolute directories (given and resolved forms) a ``runtime`` job must not see: the
    installed packages, wherever import would find them, and their copies in every
    site-packages directory (a base interpreter's too)."""
    found: set[str] = set()
    for name in HIDDEN_DISTRIBUTIONS[check_runtime(runtime)]:
        found |= _distribution_dirs(name)
    for name in HIDDEN_PACKAGES[runtime]:
        found |= _package_dirs(name)
        found |= {os.path.join(site, name) for site in _site_dirs()}
    forms = {form for path in found for form in (os.path.abspath(path), os.path.realpath(path))}
    return tuple(sorted(path for path in forms if os.path.isdir(path)))


def blocked_package_dirs(runtime: str) -> tuple[str, ...]:
    """The hidden directories that are importable packages (not metadata directories)."""
    return tuple(p for p in hidden_package_dirs(runtime) if os.path.basename(p).isidentifier())


def warm_up(runtime: str) -> None:
    """Import the runtime's libraries (numpy.random too) and run a small computation, so every
    child starts warm (children re-seed the global generators: see `reseed_global_generators`).

    Threads: torch and the BLAS libraries use one thread each (a job's CPU share is enforced
    separately). Does nothing the second time in a process (or in a fork of one that did it).
    Raises ImportError if the runtime's libraries are not installed.
    """
    if check_runtime(runtime) in _warm:
        return
    _warm.add(runtime)
    os.environ.update(THREAD_ENVIRONMENT)
    import numpy
    import numpy.random

    a = numpy.arange(12.0).reshape(3, 4)
    numpy.linalg.norm(a @ a.T)
    # numpy.random is not imported by numpy itself, and every harness draws its inputs from
    # seeded generators: imported here, each child saves importing it (~10 ms).
    numpy.random.default_rng(0).standard_normal(4)
    if runtime != "torch":
        return
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    x = torch.randn(4, 8, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.layer_norm(x, (8,)).sum().backward()
    x32 = torch.randn(4, 8, requires_grad=True)
    torch.nn.LayerNorm(8)(x32).pow(2).mean().backward()


def reseed_global_generators() -> None:
    """Seed numpy's legacy global generator (`numpy.random`) and Python's `random` from the OS,
    as a fresh interpreter does (the template imported numpy.random: without this, every job
    would repeat its template's sequence). torch's global generator is left as a fresh
    interpreter has it too: at its fixed default seed, the same in every job."""
    for name in ("random", "numpy.random"):
        module = sys.modules.get(name)
        if module is not None:
            module.seed()

"""Layer: scrub the environment down to a fixed, secret-free set of variables."""

from __future__ import annotations

import os

from sandbox.layers.config import WORKDIR, ContainConfig

NAME = "environment"

JOB_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": WORKDIR,
    "TMPDIR": WORKDIR,
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def prepare(config: ContainConfig) -> None:
    """Once per template, so that children start with the job's environment already."""
    apply(config)


def apply(config: ContainConfig) -> None:
    """Replace the environment by JOB_ENVIRONMENT (nothing to do if it already is)."""
    if os.environ != JOB_ENVIRONMENT:
        os.environ.clear()
        os.environ.update(JOB_ENVIRONMENT)

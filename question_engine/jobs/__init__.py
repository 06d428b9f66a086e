"""Programs that run inside the sandbox, each shipped as source text.

A job module imports only the standard library, numpy and torch, never this package, so the
text of its files is the whole program the sandbox runs; the trusted side calls its entry
points by name through `sandbox.Call`. A job may be a bundle of several files run as one
module (in order), e.g. the code-tests harness with the model probes it calls.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

JOBS_DIR = Path(__file__).resolve().parent
QUESTION_JOB = "question"
PERTURBED_QUESTION_JOB = "question_perturbed"
CODE_TESTS_JOB = "code_tests"
NUMPY_CODE_TESTS_JOB = "code_tests_numpy"
BUNDLES: dict[str, tuple[str, ...]] = {
    QUESTION_JOB: ("question",),
    PERTURBED_QUESTION_JOB: ("perturbations", "question"),
    CODE_TESTS_JOB: ("model_probes", "code_tests"),
    NUMPY_CODE_TESTS_JOB: ("code_tests",),
}
"""Each job's files, in the order they run; `model_probes` needs torch, so the numpy-runtime
harness goes without it; the question job carries `perturbations` (which only defines what
`question.py` calls for perturbed runs) only when it runs them, so the carried-forward job that
every marking sends stays small."""


@cache
def job_source(name: str) -> str:
    """The source text of job `name` (a key of BUNDLES): its files joined in order.

    Raises KeyError for an unknown name.
    """
    return "\n\n".join(
        (JOBS_DIR / f"{part}.py").read_text(encoding="utf-8") for part in BUNDLES[name]
    )


def job_filename(name: str) -> str:
    """The file name the sandbox shows in tracebacks for job `name`."""
    return f"tensorgrade_{name}_job.py"

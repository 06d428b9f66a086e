"""Entry points that run a question's `generate`/`solve` inside one sandbox job.

The job's code is this module's source appended to `bank/reporter.py`'s, followed by the
author's `question.py` as a string (`AUTHOR_SOURCE`); `bank.runner` builds it and drops the
`from bank.` import line below, whose names the concatenated code already defines. Like the
reporter it uses only the standard library and numpy.
"""

import copy
import json

import numpy as np

from bank.reporter import Reporter, to_plain

AUTHOR_FILENAME = "question.py"


def load_author_namespace(source: str) -> dict:
    """Execute the author's question.py and return its globals, checking the two entry points."""
    namespace: dict = {"__name__": "question"}
    exec(compile(source, AUTHOR_FILENAME, "exec"), namespace)
    for entry in ("generate", "solve"):
        if not callable(namespace.get(entry)):
            raise TypeError(f"{AUTHOR_FILENAME} must define a function {entry}()")
    return namespace


def plain_params(params) -> dict:
    """Generated params as JSON-able data, with a message naming the offending key if not."""
    if not isinstance(params, dict):
        raise TypeError(f"generate(rng) must return a dict, not {type(params).__name__}")
    plain = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"generate(rng) returned a non-string key {key!r}")
        try:
            plain[key] = to_plain(value)
            json.dumps(plain[key], allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"generate(rng) param {key!r} is not JSON-able: {exc}") from None
    return plain


def solve_in_mode(namespace: dict, params: dict, mode: str, decimals=None, answers=None) -> dict:
    """Run `solve` once with a fresh reporter; return what it recorded and substituted."""
    reporter = Reporter(mode, decimals=decimals, answers=answers)
    namespace["solve"](copy.deepcopy(params), reporter)
    if not reporter.quantities:
        raise ValueError("solve(p, r) reported no quantities; call r.report(name, value)")
    return {"quantities": reporter.quantities, "substituted": reporter.substituted}


def harness_build(source: str, seed, paper_params, decimals: dict) -> dict:
    """Params (generated from `seed`, or the paper's) plus exact and rounded quantities."""
    namespace = load_author_namespace(source)
    if paper_params is not None:
        params = plain_params(paper_params)
    else:
        params = plain_params(namespace["generate"](np.random.default_rng(seed)))
    exact = solve_in_mode(namespace, params, "exact")
    rounded = solve_in_mode(namespace, params, "rounded", decimals=decimals)
    return {"params": params, "exact": exact["quantities"], "rounded": rounded["quantities"]}


def harness_carried_forward(source: str, params: dict, answers: dict) -> dict:
    """Quantities recomputed with the student's answers substituted as they are reported."""
    namespace = load_author_namespace(source)
    return solve_in_mode(namespace, params, "carried_forward", answers=answers)

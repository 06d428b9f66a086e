"""Which asked quantities feed later asked parts, so marking skips the carried-forward job
when no answer of a submission can carry forward.

A student's answer to a part carries forward only into quantities `solve` computes from it.
`quantity_feeds` finds them once per question version (when the bank is synced): one sandbox
job runs `solve` on the paper variant and a few seeds with each asked quantity replaced, as it
is reported, by other values, and records which numeric parts' quantities change
(`jobs/question.py`, `harness_feeds`). `carried_forward_needed` then decides per submission.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from question_engine.alternatives import NUMERIC_KINDS
from question_engine.definition import QuestionDefinition
from question_engine.question_runs import run_harness

FEED_SEEDS = (0, 1, 2)
"""Seeds of the random variants probed besides the paper variant."""
UNPARSED_KINDS = frozenset({"code"})
"""Part kinds whose answers are never substituted into `solve`."""
CACHE_SIZE = 256

_found: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
_found_lock = threading.Lock()


def _asked(q: QuestionDefinition) -> list[str]:
    asked: list[str] = []
    for part in q.parts:
        if part.kind not in UNPARSED_KINDS and part.quantity not in asked:
            asked.append(part.quantity)
    return asked


def quantity_feeds(q: QuestionDefinition) -> dict[str, list[str]]:
    """For each quantity a part asks for, the quantities of *other* numeric parts that `solve`
    computes from it (``{"h": ["y"], "y": []}``); one sandbox job.

    The feeds follow from the content alone, so they are kept per content hash in the process
    (syncing the same content again sends no job). Raises QuestionRunError when the question's
    code fails, SandboxFailure when the sandbox does.
    """
    with _found_lock:
        if q.content_hash in _found:
            _found.move_to_end(q.content_hash)
            return {name: list(fed) for name, fed in _found[q.content_hash].items()}
    param_sets: list[list[Any]] = [[seed, None] for seed in FEED_SEEDS]
    if q.paper_params is not None:
        param_sets.insert(0, [None, q.paper_params])
    asked = _asked(q)
    options = {
        part.quantity: [str(option) for option in part.rule["options"]]
        for part in q.parts
        if isinstance(part.rule.get("options"), list)
    }
    (output,) = run_harness(q.slug, [("harness_feeds", (q.code, param_sets, asked, options))])
    targets = {part.quantity for part in q.parts if part.kind in NUMERIC_KINDS}
    found = output.get("feeds", {})
    feeds = {
        name: sorted(other for other in found.get(name, ()) if other in targets and other != name)
        for name in asked
    }
    with _found_lock:
        _found[q.content_hash] = feeds
        while len(_found) > CACHE_SIZE:
            _found.popitem(last=False)
    return {name: list(fed) for name, fed in feeds.items()}


def carried_forward_needed(
    feeds: Mapping[str, Sequence[str]] | None,
    answered: Collection[str],
    marked: Collection[str],
) -> bool:
    """Whether the carried-forward job can change a mark: some `answered` quantity (the
    submission's readable answers) feeds a quantity of another part in `marked` (the
    numeric parts it answered). `feeds` None (not recorded) or missing an answered quantity
    counts as yes."""
    if feeds is None:
        return bool(answered)
    for name in answered:
        fed = feeds.get(name)
        if fed is None:
            return True
        if any(other in marked and other != name for other in fed):
            return True
    return False

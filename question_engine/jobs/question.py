"""The sandbox job that runs a question's `generate(rng)` and `solve(p, r)`.

Shipped into the sandbox as source text, alone or (for perturbed runs) bundled after
`perturbations.py` (see `question_engine.jobs`); the author's `question.py` arrives as a
string argument of each entry point. It imports nothing but the standard library and numpy
(torch only when a value is a tensor) and does not use `from __future__` imports. The trusted
side imports its pure helpers (`round_half_away`, `to_plain`) directly.
"""

import copy
import json
import math
import re

import numpy as np

REPORTER_MODES = ("exact", "rounded", "carried_forward")
TERM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def round_half_away(value, decimals: int):
    """Round like an examiner (halves away from zero), keeping the array/scalar/tensor type."""
    scale = 10.0**decimals
    if _is_tensor(value):
        import torch

        return torch.sign(value) * torch.floor(torch.abs(value) * scale + 0.5 + 1e-9) / scale
    if isinstance(value, np.ndarray):
        return np.sign(value) * np.floor(np.abs(value) * scale + 0.5 + 1e-9) / scale
    if isinstance(value, bool | int | np.integer):
        return value
    number = float(value)
    rounded = math.copysign(math.floor(abs(number) * scale + 0.5 + 1e-9) / scale, number)
    return type(value)(rounded) if isinstance(value, np.floating) else rounded


def to_plain(value):
    """A JSON-able copy of a reported value: floats, ints, strings and nested lists of them."""
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    raise TypeError(
        f"cannot report a value of type {type(value).__name__}; report numbers, strings, "
        "numpy arrays or torch tensors"
    )


def like(template, value):
    """`value` (a student's parsed answer) as the type and shape of `template`, or None."""
    try:
        return _converted_like(template, value)
    except (TypeError, ValueError, OverflowError):
        return None


def _converted_like(template, value):
    if _is_tensor(template):
        import torch

        converted = torch.as_tensor(np.asarray(value, dtype=float), dtype=template.dtype)
        return converted if tuple(converted.shape) == tuple(template.shape) else None
    if isinstance(template, np.ndarray):
        converted = np.asarray(value, dtype=template.dtype)
        return converted if converted.shape == template.shape else None
    if isinstance(template, str):
        return value if isinstance(value, str) else None
    if isinstance(value, list | tuple | dict | str):
        return None
    if isinstance(template, bool | int | np.integer):
        return type(template)(value) if float(value) == int(value) else float(value)
    return type(template)(value)


class Reporter:
    """Records every reported quantity; what `report` hands back depends on the mode.

    - ``exact``: the value itself (float64 throughout);
    - ``rounded``: the value rounded to its quantity's precision (from ``decimals`` or ``dp=``);
    - ``carried_forward``: records the value computed from upstream quantities but returns the
      student's own answer (from ``answers``) so later quantities build on it.

    A `perturbation` (see perturbations.py) makes one mistake on the way: its hooks may change
    what `report`, `optional` and `slip` hand back (and what `report` records).
    """

    def __init__(self, mode: str = "exact", decimals=None, answers=None, perturbation=None):
        if mode not in REPORTER_MODES:
            raise ValueError(f"unknown reporter mode {mode!r}; use one of {REPORTER_MODES}")
        self.mode = mode
        self.decimals = dict(decimals or {})
        self.answers = dict(answers or {})
        self.perturbation = perturbation
        self.quantities: dict = {}
        self.substituted: list = []
        self.optional_names: list = []
        self.slip_names: list = []

    def report(self, name: str, value, dp: int | None = None):
        """Record quantity `name` and return the value later steps should use."""
        if not isinstance(name, str) or not name:
            raise ValueError("report() needs a non-empty quantity name as its first argument")
        if name in self.quantities:
            raise ValueError(f"quantity {name!r} is reported twice; give each step its own name")
        if self.perturbation is not None:
            value = self.perturbation.reported(name, value)
        if not _is_finite(value):
            if self.mode != "carried_forward":
                raise ValueError(f"quantity {name!r} is not finite (NaN or infinity): {value!r}")
            self.quantities[name] = None
        else:
            decimals = dp if dp is not None else self.decimals.get(name)
            if self.mode == "rounded" and decimals is not None:
                value = round_half_away(value, int(decimals))
            self.quantities[name] = to_plain(value)
        if self.mode == "carried_forward" and name in self.answers:
            student_value = like(value, self.answers[name])
            if student_value is not None:
                self.substituted.append(name)
                return student_value
        return value

    def optional(self, name: str, value):
        """Pass on `value`, a term a student may leave out (a bias, a regulariser).

        Returns `value` in every mode; the perturbed run ``forgot:<name>`` gets zeros of its
        type and shape instead, so a student who forgot the term is named. A name may be used
        more than once (every use is left out together).
        """
        self._note_term(name, "optional", self.optional_names)
        if self.perturbation is not None:
            return self.perturbation.optional(name, value)
        return value

    def slip(self, name: str, right, wrong):
        """Return `right`; the perturbed run ``slip:<name>`` gets `wrong` (the author's own
        anticipated mistake, named with the phrase in question.toml's [perturbations.slips])."""
        self._note_term(name, "slip", self.slip_names)
        if self.perturbation is not None:
            return self.perturbation.slip(name, right, wrong)
        return right

    @staticmethod
    def _note_term(name, method: str, names: list) -> None:
        if not isinstance(name, str) or not TERM_NAME.match(name):
            raise ValueError(
                f"{method}() needs an identifier such as 'bias' as its first argument, not {name!r}"
            )
        if name not in names:
            names.append(name)


def _is_finite(value) -> bool:
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, str):
        return True
    array = np.asarray(value)
    return array.dtype.kind not in "fc" or bool(np.all(np.isfinite(array)))


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


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


def run_solve(namespace: dict, params: dict, reporter: Reporter) -> Reporter:
    """Run the author's `solve` on a copy of `params`; return the reporter it filled."""
    namespace["solve"](copy.deepcopy(params), reporter)
    if not reporter.quantities:
        raise ValueError("solve(p, r) reported no quantities; call r.report(name, value)")
    return reporter


def solve_in_mode(namespace: dict, params: dict, mode: str, decimals=None, answers=None) -> dict:
    """Run `solve` once with a fresh reporter; return what it recorded and substituted."""
    reporter = run_solve(namespace, params, Reporter(mode, decimals=decimals, answers=answers))
    return {"quantities": reporter.quantities, "substituted": reporter.substituted}


def harness_build(source: str, seed, paper_params, decimals: dict, perturb=None) -> dict:
    """Params (generated from `seed`, or the paper's) plus exact and rounded quantities.

    With `perturb` (``{"asked": [...], "off": [...]}``) the output also holds
    ``perturbations``: the perturbed runs of `harness_perturbations`.
    """
    namespace = load_author_namespace(source)
    if paper_params is not None:
        params = plain_params(paper_params)
    else:
        params = plain_params(namespace["generate"](np.random.default_rng(seed)))
    exact = run_solve(namespace, params, Reporter("exact"))
    rounded = solve_in_mode(namespace, params, "rounded", decimals=decimals)
    output = {"params": params, "exact": exact.quantities, "rounded": rounded["quantities"]}
    if perturb is not None:
        output["perturbations"] = _perturbations(
            namespace, params, exact, rounded["quantities"], decimals, perturb
        )
    return output


def harness_perturbations(source: str, params: dict, decimals: dict, perturb: dict) -> dict:
    """The perturbed runs of one variant (``chains``, ``unknown_off``, ``skipped``, and the
    ``optional`` and ``slips`` names `solve` used): for a variant stored without them."""
    namespace = load_author_namespace(source)
    exact = run_solve(namespace, params, Reporter("exact"))
    rounded = solve_in_mode(namespace, params, "rounded", decimals=decimals)
    return _perturbations(namespace, params, exact, rounded["quantities"], decimals, perturb)


def _perturbations(namespace, params, exact, rounded, decimals, perturb) -> dict:
    def run(run_namespace, run_params, perturbation, mode):
        reporter = Reporter(mode, decimals=decimals, perturbation=perturbation)
        return run_solve(run_namespace, run_params, reporter).quantities

    found = perturbed_chains(  # noqa: F821 - bundled from perturbations.py
        namespace,
        params,
        {
            "quantities": exact.quantities,
            "optional": exact.optional_names,
            "slips": exact.slip_names,
        },
        rounded,
        run,
        list(perturb.get("asked", ())),
        list(perturb.get("off", ())),
    )
    return {**found, "optional": exact.optional_names, "slips": exact.slip_names}


FAILURE_MESSAGE_CHARS = 500


def harness_carried_forward(source: str, params: dict, answers: dict) -> dict:
    """Quantities recomputed with the student's answers substituted as they are reported.

    Returns ``quantities`` (name to plain value, None for a value that is not finite or cannot
    be sent back as JSON, such as an integer of more than 4300 digits) and ``substituted``.
    The student's values may make `solve` raise (a zero divisor, an overflow, shapes that do
    not fit): that is a fault of the answers, not of the question, so it is not raised; the
    output then also holds ``failed`` (the exception as text) and only the quantities recorded
    before the failure. A question that cannot even be loaded still raises.
    """
    namespace = load_author_namespace(source)
    reporter = Reporter("carried_forward", answers=answers)
    output: dict = {}
    try:
        namespace["solve"](copy.deepcopy(params), reporter)
    except Exception as exc:
        output["failed"] = f"{type(exc).__name__}: {exc}"[:FAILURE_MESSAGE_CHARS]
    quantities = {
        name: value if _sendable(value) else None for name, value in reporter.quantities.items()
    }
    return {"quantities": quantities, "substituted": reporter.substituted, **output}


def _sendable(value) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return False
    return True


FEED_NUDGES = ((1.37, 0.731), (-0.61, -1.9), (3.1, 0.0))
"""How a number is changed to see what it feeds: value * scale + shift (three different
changes, so a later quantity that ignores one of them, such as a ReLU of a value that stays
negative, still shows its dependence on another)."""


def nudged(value, scale: float, shift: float):
    """`value` changed by `scale` and `shift` entry by entry (booleans flipped, integers kept
    integers, never left equal); None for a value holding anything but numbers."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        changed = int(round(value * scale + shift))
        return changed if changed != value else value + 1
    if isinstance(value, float):
        changed = value * scale + shift
        return changed if changed != value else value + 1.0
    if isinstance(value, list):
        items = [nudged(item, scale, shift) for item in value]
        return None if any(item is None for item in items) else items
    return None


def replacements(value, options: list) -> list | None:
    """Other values a student might give for a reported `value`: three nudges of a number
    (or of every entry of an array), the other `options` and a label no option has for text,
    and for a list of labels the empty list, each option alone and all of them; None when
    the value is of another sort (it then counts as feeding everything)."""
    if isinstance(value, str):
        return [option for option in options if option != value] + [value + "?"]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        found = [[], [*value, "?"], *([option] for option in options), list(options)]
        return [other for other in found if other != value]
    nudges = [nudged(value, scale, shift) for scale, shift in FEED_NUDGES]
    return None if any(item is None for item in nudges) else nudges


def harness_feeds(source: str, param_sets: list, asked: list, options: dict) -> dict:
    """Which reported quantities change when each `asked` quantity is replaced by another
    value as it is reported (the carried-forward substitution), over several variants.

    `param_sets` holds ``[seed, paper_params]`` pairs (a paper variant has seed None);
    `options` the labels of choice-like parts by quantity (see `replacements`). Returns
    ``{"feeds": {asked name: [names that changed]}}``: a name changed when its value differs
    from the unchanged run's, or when it is missing; when `solve` raises with a replaced
    value, or the value cannot be replaced, every other name counts as changed. A name
    `solve` never reports feeds nothing.
    """
    namespace = load_author_namespace(source)
    feeds: dict = {name: set() for name in asked}
    for seed, paper_params in param_sets:
        if paper_params is not None:
            params = plain_params(paper_params)
        else:
            params = plain_params(namespace["generate"](np.random.default_rng(seed)))
        base = solve_in_mode(namespace, params, "carried_forward", answers={})["quantities"]
        for name in asked:
            if name not in base:
                continue
            others = {other for other in base if other != name}
            values = replacements(base[name], list(options.get(name, ())))
            if values is None:
                feeds[name] |= others
                continue
            for value in values:
                try:
                    changed = solve_in_mode(
                        namespace, params, "carried_forward", answers={name: value}
                    )["quantities"]
                except Exception:
                    feeds[name] |= others
                    break
                feeds[name] |= {
                    other
                    for other in others
                    if other not in changed or changed[other] != base[other]
                }
    return {"feeds": {name: sorted(found) for name, found in feeds.items()}}

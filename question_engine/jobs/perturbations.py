"""Perturbed solver runs: a question's `solve` run again with one standard mistake made.

Shipped into the sandbox as source text, bundled *before* `question.py` (see
`question_engine.jobs`). It imports only the standard library and numpy (torch only when the
author's module already uses it) and nothing from `question.py`: the question job hands
`perturbed_chains` a `run` callable that runs `solve` with a reporter carrying one
`Perturbation`, whose hooks the reporter calls.

The perturbations, by family (docs/marking.md, "Mistakes from the solver"):

- ``log_base``: ``log10_for_ln``, ``log2_for_ln``, ``ln_for_log10``, ``ln_for_log2`` — numpy's,
  math's and torch's ``log`` swapped with ``log10``/``log2`` (or back) in the author's module;
- ``degrees``: sin, cos and tan read their argument in degrees;
- ``transpose``: ``transpose:<param>``, one 2-D non-symmetric param transposed;
- ``sign``: ``sign:<quantity>``, one reported quantity negated before later steps use it;
- ``early_rounding``: ``round_2dp:<quantity>`` and ``round_2sf:<quantity>``, one reported
  quantity rounded (to 2 decimal places, to 2 significant figures) before later steps use it;
- ``optional``: ``forgot:<name>``, a term the solver passes through ``r.optional`` left out;
- ``slip``: ``slip:<name>``, the author's own wrong value given to ``r.slip`` used.

A run that raises, gives a non-finite value, runs too long or changes no reported quantity is
dropped. The *step* of a run is the first reported quantity (in report order) that changed.
"""

import math
import signal
import sys
import time
import types
import warnings

import numpy as np

FAMILIES = ("slip", "optional", "log_base", "degrees", "transpose", "sign", "early_rounding")
ALL = "all"
LOG_SWAPS = {
    "log10_for_ln": ("log", "log10"),
    "log2_for_ln": ("log", "log2"),
    "ln_for_log10": ("log10", "log"),
    "ln_for_log2": ("log2", "log"),
}
ROUNDINGS = {"round_2dp": ("dp", 2), "round_2sf": ("sf", 2)}
TRIG_FUNCTIONS = ("sin", "cos", "tan")
RUN_TIME_LIMIT_S = 0.5
JOB_TIME_BUDGET_S = 3.0
_spent = {"seconds": 0.0}


class PerturbationOvertime(BaseException):
    """A perturbed run took longer than RUN_TIME_LIMIT_S (a BaseException, so that an author's
    ``except Exception`` cannot swallow it)."""


class Perturbation:
    """One mistake to make while running `solve`; the reporter calls its hooks.

    `family` is one of FAMILIES, `target` the quantity, param, optional term or slip it acts on
    (None for log_base and degrees), `setting` the log swap or the rounding.
    """

    def __init__(self, name, family, target=None, setting=None):
        self.name = name
        self.family = family
        self.target = target
        self.setting = setting

    def reported(self, name, value):
        """The value `report(name, value)` passes on: negated or rounded at the target."""
        if name != self.target:
            return value
        if self.family == "sign":
            return -value
        if self.family == "early_rounding":
            return rounded_like(value, *self.setting)
        return value

    def optional(self, name, value):
        """The value `optional(name, value)` passes on: zeros when this term is forgotten."""
        if self.family == "optional" and name == self.target:
            return zeros_like(value)
        return value

    def slip(self, name, right, wrong):
        """The value `slip(name, right, wrong)` passes on: `wrong` for this slip only."""
        return wrong if self.family == "slip" and name == self.target else right

    def namespace(self, namespace):
        """The author's globals to run in: swapped logs or degree-mode trig, else unchanged."""
        if self.family == "log_base":
            replaced, replacement = self.setting
            return swapped_namespace(namespace, _log_overrides(replaced, replacement))
        if self.family == "degrees":
            return swapped_namespace(namespace, _degree_overrides())
        return namespace

    def params(self, params):
        """The params to run with: the target param transposed, else unchanged."""
        if self.family != "transpose":
            return params
        return {**params, self.target: np.asarray(params[self.target]).T.tolist()}

    def turned_off(self, off):
        """Whether the question's `[perturbations] off` list names this or its family."""
        return ALL in off or self.family in off or self.name in off


def rounded_like(value, kind, digits):
    """`value` rounded half away from zero to `digits` decimals (kind "dp") or significant
    figures (kind "sf"), keeping its type; integers are returned unchanged."""
    if isinstance(value, bool | int | np.integer):
        return value
    if _is_torch_tensor(value):
        import torch

        array = value.detach().cpu().numpy().astype(float)
        return torch.as_tensor(round_array(array, kind, digits), dtype=value.dtype)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fc":
            return value
        return round_array(value.astype(float), kind, digits).astype(value.dtype)
    rounded = round_array(np.asarray(value, dtype=float), kind, digits)
    if isinstance(value, np.floating):
        return type(value)(rounded)
    return float(rounded) if isinstance(value, float) else rounded


def round_array(array, kind, digits):
    """A float array rounded half away from zero (decimals or significant figures)."""
    if kind == "sf":
        with np.errstate(divide="ignore"):
            magnitude = np.where(array == 0, 0.0, np.floor(np.log10(np.abs(array))))
        decimals = digits - 1 - magnitude
    else:
        decimals = np.full(np.shape(array), float(digits))
    scale = 10.0**decimals
    return np.sign(array) * np.floor(np.abs(array) * scale + 0.5 + 1e-9) / scale


def zeros_like(value):
    """Zeros of the type and shape of `value` (a forgotten term)."""
    if _is_torch_tensor(value):
        import torch

        return torch.zeros_like(value)
    if isinstance(value, np.ndarray | np.generic):
        return np.zeros_like(value)
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return type(value)(0)
    return np.zeros_like(np.asarray(value, dtype=float))


def _is_torch_tensor(value):
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _log_overrides(replaced, replacement):
    """Per module name, the functions that replace `replaced` (a log) by `replacement`."""
    overrides = {"numpy": {replaced: getattr(np, replacement)}}
    if replaced == "log":
        to_base = getattr(math, replacement)
        overrides["math"] = {"log": lambda x, *base: math.log(x, *base) if base else to_base(x)}
    else:
        overrides["math"] = {replaced: math.log}
    torch = sys.modules.get("torch")
    if torch is not None:
        overrides["torch"] = {replaced: getattr(torch, replacement)}
    return overrides


def _degree_overrides():
    """Per module name, sin/cos/tan reading their argument in degrees."""
    overrides = {
        "numpy": {name: _in_degrees(getattr(np, name), np.deg2rad) for name in TRIG_FUNCTIONS},
        "math": {name: _in_degrees(getattr(math, name), math.radians) for name in TRIG_FUNCTIONS},
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        overrides["torch"] = {
            name: _in_degrees(getattr(torch, name), torch.deg2rad) for name in TRIG_FUNCTIONS
        }
    return overrides


def _in_degrees(function, to_radians):
    def in_degrees(x, *args, **kwargs):
        return function(to_radians(x), *args, **kwargs)

    return in_degrees


def _proxy_module(module, overrides):
    proxy = types.ModuleType(module.__name__)
    proxy.__dict__.update(module.__dict__)
    proxy.__dict__.update(overrides)
    proxy.__dict__["__getattr__"] = lambda name: getattr(module, name)
    return proxy


def swapped_namespace(namespace, overrides):
    """A copy of the author's globals in which the modules named in `overrides` (numpy, math,
    torch) are proxies carrying the overriding functions, names bound directly to a replaced
    function (``from numpy import log``) are replaced, and every function defined in the
    author's module is rebound to the copy (so helpers see the swap too)."""
    proxies, direct = {}, []
    for module_name, functions in overrides.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        proxies[module_name] = _proxy_module(module, functions)
        direct += [(getattr(module, name), function) for name, function in functions.items()]
    copy = dict(namespace)
    for name, value in namespace.items():
        if isinstance(value, types.ModuleType) and value.__name__ in proxies:
            copy[name] = proxies[value.__name__]
            continue
        for original, function in direct:
            if value is original:
                copy[name] = function
    for name, value in namespace.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            rebound = types.FunctionType(
                value.__code__, copy, value.__name__, value.__defaults__, value.__closure__
            )
            rebound.__kwdefaults__ = value.__kwdefaults__
            copy[name] = rebound
    return copy


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric(plain):
    """Whether a plain reported value is a number or a (nested) list of numbers."""
    if isinstance(plain, list):
        return bool(plain) and all(_numeric(item) for item in plain)
    return _is_number(plain)


def _transposable(value):
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    if array.ndim != 2 or array.size < 2 or not np.all(np.isfinite(array)):
        return False
    return array.shape != array.T.shape or not np.array_equal(array, array.T)


def _changes_when_rounded(plain, setting):
    if not _numeric(plain) or _integral(plain):
        return False
    array = np.asarray(plain, dtype=float)
    return not np.array_equal(round_array(array, *setting), array)


def _integral(plain):
    if isinstance(plain, list):
        return all(_integral(item) for item in plain)
    return isinstance(plain, int)


def candidates(quantities, optional_names, slip_names, params):
    """Every perturbation that could change this variant's chain, most specific first.

    `quantities` are the exact run's plain values in report order; a sign flip needs a
    non-zero numeric quantity, an early rounding one that rounding changes.
    """
    found = [Perturbation(f"slip:{name}", "slip", name) for name in slip_names]
    found += [Perturbation(f"forgot:{name}", "optional", name) for name in optional_names]
    found += [Perturbation(name, "log_base", setting=swap) for name, swap in LOG_SWAPS.items()]
    found.append(Perturbation("degrees", "degrees"))
    found += [
        Perturbation(f"transpose:{key}", "transpose", key)
        for key, value in params.items()
        if _transposable(value)
    ]
    found += [
        Perturbation(f"sign:{name}", "sign", name)
        for name, value in quantities.items()
        if _numeric(value) and np.any(np.asarray(value, dtype=float) != 0)
    ]
    found += [
        Perturbation(f"{prefix}:{name}", "early_rounding", name, setting)
        for name, value in quantities.items()
        for prefix, setting in ROUNDINGS.items()
        if _changes_when_rounded(value, setting)
    ]
    return found


def unknown_off_entries(off, found):
    """Entries of `off` that name neither a family, "all", nor any perturbation found."""
    names = {perturbation.name for perturbation in found}
    return [entry for entry in off if entry not in (ALL, *FAMILIES) and entry not in names]


def _raise_overtime(signum, frame):
    raise PerturbationOvertime


def _time_limited(seconds, function):
    """`function()` stopped by PerturbationOvertime after `seconds` (main thread only;
    elsewhere it runs unlimited)."""
    try:
        previous = signal.signal(signal.SIGALRM, _raise_overtime)
    except ValueError:
        return function()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _quiet_run(run, namespace, params, perturbation, mode):
    """The perturbed run's quantities, or None when it raised or ran too long."""
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _time_limited(
                RUN_TIME_LIMIT_S,
                lambda: run(
                    perturbation.namespace(namespace),
                    perturbation.params(params),
                    perturbation,
                    mode,
                ),
            )
    except (Exception, PerturbationOvertime):
        return None
    finally:
        _spent["seconds"] += time.perf_counter() - started


def _first_change(exact, perturbed):
    for step, (name, value) in enumerate(exact.items(), start=1):
        if name not in perturbed or perturbed[name] != value:
            return step, name
    return None


def _changed(reference, perturbed, asked, perturbation):
    own = perturbation.target if perturbation.family in ("sign", "early_rounding") else None
    return {
        name: perturbed[name]
        for name in asked
        if name != own
        and name in perturbed
        and name in reference
        and perturbed[name] != reference[name]
    }


def perturbed_chains(namespace, params, exact, rounded, run, asked, off):
    """Each applicable perturbation's step and the asked quantities it changes.

    `exact` holds the exact run's ``quantities`` (plain, in report order), ``optional`` and
    ``slips`` (names met); `rounded` the rounded run's quantities (or None to skip rounded
    perturbed runs); `run(namespace, params, perturbation, mode)` returns a run's plain
    quantities or raises. Returns ``chains`` (name, family, target, step, at, values,
    rounded), ``unknown_off`` (entries of `off` matching nothing) and ``skipped`` (names not
    run once JOB_TIME_BUDGET_S of perturbed runs was spent in this job).
    """
    found = candidates(exact["quantities"], exact["optional"], exact["slips"], params)
    chains, skipped = [], []
    for perturbation in found:
        if perturbation.turned_off(off):
            continue
        if _spent["seconds"] > JOB_TIME_BUDGET_S:
            skipped.append(perturbation.name)
            continue
        quantities = _quiet_run(run, namespace, params, perturbation, "exact")
        change = _first_change(exact["quantities"], quantities) if quantities else None
        if change is None:
            continue
        chain = {
            "name": perturbation.name,
            "family": perturbation.family,
            "target": perturbation.target,
            "step": change[0],
            "at": change[1],
            "values": _changed(exact["quantities"], quantities, asked, perturbation),
            "rounded": {},
        }
        if rounded is not None:
            rounded_run = _quiet_run(run, namespace, params, perturbation, "rounded")
            if rounded_run is not None:
                chain["rounded"] = _changed(rounded, rounded_run, asked, perturbation)
        if chain["values"] or chain["rounded"]:
            chains.append(chain)
    return {"chains": chains, "unknown_off": unknown_off_entries(off, found), "skipped": skipped}

"""Job-side probes of a (model, optimizer) pair for `facts` and `training` tests.

Bundled in front of `code_tests.py` in the same sandbox job (see `question_engine.jobs`), and
importable on its own (tests call these functions in-process). Every fact is measured from
behaviour, never read from names or attributes the model reports about itself:

* the model's output on digit-like probe inputs (are rows log-probabilities?);
* how far apart its output scores can get once every parameter is multiplied by 100 .. 1e6 and
  the inputs by 10 (a bounded activation after the last linear map keeps them within a few
  units);
* the function each layer computes: every leaf module called during a forward pass is fitted
  as an affine map on fresh inputs, and its gain measured from that fit, together with what
  happens between consecutive layers (a hidden rescaling shows as a small slope);
* the update the optimizer really makes: the parameters get known gradients, `step()` runs,
  and the change of every parameter is recorded.

It reports raw measurements only; `grader.code.facts` judges them outside the sandbox. Uses the
standard library, numpy and torch only. Private names start with `_mp_` so that they cannot
clash with the harness bundled after this file.
"""

import numpy as np
import torch
from torch import nn

# Bound before any submitted code runs, so that patching torch or numpy later does not change
# how the probes build inputs or read results.
_mp_Tensor = torch.Tensor
_mp_Parameter = nn.Parameter
_mp_Module = nn.Module
_mp_TensorBase = torch._C.TensorBase
_mp_detach = _mp_TensorBase.detach
_mp_clone = _mp_TensorBase.clone
_mp_to = _mp_TensorBase.to
_mp_numpy = _mp_TensorBase.numpy
_mp_copy_ = _mp_TensorBase.copy_
_mp_from_numpy = torch.from_numpy
_mp_no_grad = torch.no_grad
_mp_enable_grad = torch.enable_grad
_mp_no_torch_function = torch._C.DisableTorchFunction
_mp_manual_seed = torch.default_generator.manual_seed
_mp_Generator = torch.Generator
_mp_randperm = torch.randperm
_mp_autograd_backward = torch.autograd.backward
_mp_register_forward_hook = nn.modules.module.register_module_forward_hook
_mp_named_parameters = nn.Module.named_parameters
_mp_children = nn.Module.children
_mp_train = nn.Module.train
_mp_nll_loss = nn.functional.nll_loss
_mp_cross_entropy = nn.functional.cross_entropy
_mp_np_array = np.array
_mp_default_rng = np.random.default_rng
_mp_solve = np.linalg.solve
_mp_float64 = torch.float64

MP_SEED = 20240611
MP_PROBE_ROWS = 256
MP_PARAMETER_SCALES = (1e2, 1e4, 1e6)
MP_INPUT_SCALE = 10.0
MP_OPTIMIZER_STEPS = 3
MP_SAMPLED_ELEMENTS = 256
MP_GAP_WINDOW = 0.5
MP_AFFINE_TOLERANCE = 1e-3


def _mp_array(tensor):
    """A tensor's values as a float64 numpy array, read with functions bound at load time."""
    with _mp_no_torch_function():
        return _mp_np_array(_mp_numpy(_mp_to(_mp_detach(tensor), _mp_float64)), copy=True)


def _mp_tensor(values, like):
    """A float32 tensor (or `like`'s dtype when given) holding numpy `values`."""
    dtype = like.dtype if like is not None else torch.float32
    with _mp_no_torch_function():
        return _mp_to(_mp_from_numpy(_mp_np_array(values, dtype=np.float64)), dtype)


def _mp_is_tensor(value):
    return type(value) in (_mp_Tensor, _mp_Parameter)


def _mp_parameters(model):
    return [(name, p) for name, p in _mp_named_parameters(model) if _mp_is_tensor(p)]


def _mp_first_float(model):
    return next((p for _, p in _mp_parameters(model) if p.is_floating_point()), None)


def _mp_probe_inputs(rows, like):
    """Digit-like inputs: (rows, 64) pixels in [0, 1], mostly dark, from a fixed generator."""
    rng = _mp_default_rng(MP_SEED)
    pixels = np.clip(rng.normal(0.25, 0.4, size=(rows, 64)), 0.0, 1.0)
    return _mp_tensor(pixels, like)


def _mp_output_record(output):
    """Shape, finiteness and the largest |logsumexp| of a row (0 for log-probabilities)."""
    if not _mp_is_tensor(output) or output.dim() != 2:
        shape = list(output.shape) if _mp_is_tensor(output) else None
        return {"shape": shape, "finite": False, "row_logsumexp": float("nan")}
    values = _mp_array(output)
    finite = bool(np.all(np.isfinite(values)))
    top = values.max(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        lse = top[:, 0] + np.log(np.exp(values - top).sum(axis=1))
    return {
        "shape": list(values.shape),
        "finite": finite,
        "row_logsumexp": float(np.max(np.abs(lse))) if finite else float("nan"),
    }


def _mp_score_range(output):
    """The largest gap between two scores of one output row (inf if a row is unbounded)."""
    if not _mp_is_tensor(output) or output.dim() != 2:
        return float("nan")
    values = _mp_array(output)
    rows = values[~np.any(np.isnan(values), axis=1)]
    if rows.size == 0:
        return float("nan")
    with np.errstate(invalid="ignore"):
        spread = rows.max(axis=1) - rows.min(axis=1)
    spread = np.where(np.isnan(spread), np.inf, spread)
    return float(spread.max())


def _mp_record_leaf_calls(model, inputs):
    """Every call of a leaf module (no children) during one forward pass, in order."""
    calls = []

    def hook(module, args, output):
        if not any(True for _ in _mp_children(module)):
            first = args[0] if args else None
            calls.append(
                {
                    "module": module,
                    "input": _mp_clone(_mp_detach(first)) if _mp_is_tensor(first) else None,
                    "output": _mp_clone(_mp_detach(output)) if _mp_is_tensor(output) else None,
                }
            )

    handle = _mp_register_forward_hook(hook)
    try:
        with _mp_no_grad():
            output = model(inputs)
    finally:
        handle.remove()
    return calls, output


def _mp_layer_record(call, index):
    """A leaf module's function fitted as an affine map y = x M + b on fresh inputs.

    `gain` is ||M||_F / sqrt(fan_out): the factor by which the map scales the spread of an
    input with independent unit entries (std(W) * sqrt(fan_in) for a plain weight matrix W).
    """
    x, y = call["input"], call["output"]
    if x is None or y is None or x.dim() != 2 or y.dim() != 2 or not x.is_floating_point():
        return {"probed": False}
    fan_in, fan_out = int(x.shape[1]), int(y.shape[1])
    observed = _mp_array(x)
    scale = max(float(np.sqrt(np.mean(observed**2))), 0.5)
    rng = _mp_default_rng(MP_SEED + 1 + index)
    fresh = rng.normal(0.0, scale, size=(2 * fan_in + 64, fan_in))
    try:
        with _mp_no_grad():
            result = call["module"](_mp_tensor(fresh, x))
    except Exception:  # noqa: BLE001 - a layer that cannot be refitted is left unmeasured
        return {"probed": False}
    if not _mp_is_tensor(result) or tuple(result.shape) != (len(fresh), fan_out):
        return {"probed": False}
    target = _mp_array(result)
    if not np.all(np.isfinite(target)):
        return {"probed": True, "fan_in": fan_in, "fan_out": fan_out, "affine": False}
    design = np.hstack([fresh, np.ones((len(fresh), 1))])
    solution = _mp_solve(design.T @ design, design.T @ target)
    residual = np.linalg.norm(design @ solution - target)
    spread = np.linalg.norm(target - target.mean(axis=0))
    affine = bool(residual <= MP_AFFINE_TOLERANCE * max(spread, 1e-12))
    gain = float(np.linalg.norm(solution[:-1]) / np.sqrt(fan_out))
    return {
        "probed": True,
        "fan_in": fan_in,
        "fan_out": fan_out,
        "affine": affine,
        "gain": gain,
    }


def _mp_gap_slope(before, after):
    """What happens between two consecutive layers: slope of `after` against `before`.

    Fitted elementwise (with an intercept) where |before| <= 0.5, so that activations such as
    tanh or ReLU give slopes of about 1 or 0.5 and a hidden rescaling gives its factor. None
    when the shapes differ (something we cannot see changed the signal's shape).
    """
    if before is None or after is None or tuple(before.shape) != tuple(after.shape):
        return None
    u, v = _mp_array(before).ravel(), _mp_array(after).ravel()
    if np.array_equal(u, v):
        return 1.0
    window = np.abs(u) <= MP_GAP_WINDOW
    if window.sum() < 32:
        window = np.ones_like(u, dtype=bool)
    u, v = u[window], v[window]
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))) or np.ptp(u) == 0:
        return None
    centred = u - u.mean()
    return float(np.dot(centred, v - v.mean()) / np.dot(centred, centred))


def _mp_layers(model, inputs):
    """Each leaf call's affine fit, and the slopes of the gaps around and between them."""
    calls, output = _mp_record_leaf_calls(model, inputs)
    layers = [_mp_layer_record(call, index) for index, call in enumerate(calls)]
    ends = [inputs] + [c for call in calls for c in (call["input"], call["output"])]
    ends.append(output if _mp_is_tensor(output) else None)
    gaps = [_mp_gap_slope(ends[i], ends[i + 1]) for i in range(0, len(ends), 2)]
    return layers, gaps, output


def _mp_score_range_scaled(model, inputs):
    """The largest output score range with every parameter x100, x1e4 and x1e6 and the inputs
    x10 (ranges that overflow to nan are left out); the parameters are restored after."""
    saved = [(p, _mp_clone(_mp_detach(p))) for _, p in _mp_parameters(model)]
    ranges = []
    try:
        for scale in MP_PARAMETER_SCALES:
            with _mp_no_grad():
                for p, value in saved:
                    if p.is_floating_point():
                        _mp_copy_(_mp_detach(p), value * scale)
                ranges.append(_mp_score_range(model(inputs * MP_INPUT_SCALE)))
    finally:
        with _mp_no_grad():
            for p, value in saved:
                _mp_copy_(_mp_detach(p), value)
    finite = [r for r in ranges if not np.isnan(r)]
    return max(finite) if finite else float("nan")


def _mp_used_parameters(model, inputs):
    """Names of the parameters the output depends on (non-zero gradient of a probe loss).

    Frozen parameters (requires_grad False) are unfrozen for this probe only, so that a layer
    the output depends on but the training cannot change is found too.
    """
    parameters = _mp_parameters(model)
    frozen = [p for _, p in parameters if p.is_floating_point() and not p.requires_grad]
    for _, p in parameters:
        p.grad = None
    try:
        for p in frozen:
            p.requires_grad_(True)
        with _mp_enable_grad():
            output = model(inputs)
            if not _mp_is_tensor(output) or not output.requires_grad:
                return set()
            rng = _mp_default_rng(MP_SEED + 7)
            weights = _mp_tensor(rng.normal(size=tuple(output.shape)), output)
            _mp_autograd_backward([(output * weights).sum()])
        return {
            name
            for name, p in parameters
            if _mp_is_tensor(p.grad) and bool(np.any(_mp_array(p.grad) != 0))
        }
    finally:
        for p in frozen:
            p.requires_grad_(False)
        for _, p in parameters:
            p.grad = None


def _mp_optimizer_steps(model, optimizer):
    """Each parameter's change over a few `step()` calls with the same known gradient.

    The gradient's entries have random signs and magnitudes spread over 1e-2 .. 1e2, so that an
    update proportional to the gradient (SGD) and one of about the same size for every weight
    (Adam) look very different. Returns per parameter a sample of the gradient's entries and
    of each step's change, at the same positions.
    """
    rng = _mp_default_rng(MP_SEED + 11)
    rows = []
    trained = []
    for name, p in _mp_parameters(model):
        count = int(p.numel())
        picked = np.sort(rng.choice(count, size=min(count, MP_SAMPLED_ELEMENTS), replace=False))
        magnitude = 10.0 ** rng.uniform(-2.0, 2.0, size=count)
        gradient = np.where(rng.random(count) < 0.5, -magnitude, magnitude)
        rows.append(
            {
                "name": name,
                "shape": list(p.shape),
                "requires_grad": bool(p.requires_grad),
                "picked": picked,
                "grad": gradient[picked],
                "steps": [],
            }
        )
        if p.requires_grad and p.is_floating_point():
            trained.append((p, _mp_tensor(gradient.reshape(tuple(p.shape)), p), rows[-1]))
    for _ in range(MP_OPTIMIZER_STEPS):
        before = [_mp_array(p).ravel() for p, _, _ in trained]
        for _, p in _mp_parameters(model):
            p.grad = None
        if trained:
            with _mp_enable_grad():
                _mp_autograd_backward([sum((p * g).sum() for p, g, _ in trained)])
        optimizer.step()
        for (p, _, row), start in zip(trained, before, strict=True):
            row["steps"].append((_mp_array(p).ravel() - start)[row["picked"]])
    for row in rows:
        row.pop("picked")
        if not row["steps"]:
            row["steps"] = [np.zeros(len(row["grad"])) for _ in range(MP_OPTIMIZER_STEPS)]
    return rows


def measure_setup(model, optimizer):
    """Raw behavioural measurements of a freshly built model and its optimizer.

    Returns plain data (numbers, strings, bools, numpy arrays, lists and dicts of those):
    `output` (shape, finite, largest |logsumexp| of a row on probe inputs), `score_range`
    (largest gap between two scores of a row with parameters x100 .. x1e6, inputs x10), `layers`
    (per leaf call: probed, fan_in, fan_out, affine, gain), `gaps` (slope of each gap between
    the input, the leaf calls and the output; None where the shape changes), `parameters`
    (per registered parameter: name, shape, requires_grad, used, a sample of the known
    gradient `grad` and of each optimizer step's change `steps`). The model is left in eval()
    mode and changed by the optimizer steps; this process is disposable.
    """
    like = _mp_first_float(model)
    inputs = _mp_probe_inputs(MP_PROBE_ROWS, like)
    _mp_manual_seed(MP_SEED)
    _mp_train(model, False)
    layers, gaps, output = _mp_layers(model, inputs)
    record = {"output": _mp_output_record(output), "layers": layers, "gaps": gaps}
    record["score_range"] = _mp_score_range_scaled(model, inputs)
    used = _mp_used_parameters(model, inputs)
    parameters = _mp_optimizer_steps(model, optimizer)
    for row in parameters:
        row["used"] = row["name"] in used
    record["parameters"] = parameters
    return record


def _mp_plain_output(value):
    """Model outputs as the harness's plain tensor record; anything else by type name only."""
    if not _mp_is_tensor(value):
        return {"type": "other", "name": str(getattr(type(value), "__name__", "?"))[:100]}
    values = _mp_array(value)
    dtype = str(value.dtype).removeprefix("torch.")
    return {"type": "tensor", "dtype": dtype, "shape": list(values.shape), "values": values}


def train_and_predict(model, optimizer, data, budget):
    """Train for `budget["epochs"]` epochs with fixed seeds, then predict the held-out inputs.

    `data` holds `x_train` (n, 64) float32, `y_train` (n,) int64 and `x_test` (m, 64) float32;
    `budget` holds `epochs`, and optionally `batch_size` (64), `seed` (0) and `outputs`
    ("log_probs": nll_loss, or "logits": cross_entropy). Returns {"outputs": the model's output
    on x_test in eval() mode as a plain tensor record}. The held-out labels never enter the
    sandbox: the marker scores these outputs itself.
    """
    seed = int(budget.get("seed", 0))
    _mp_manual_seed(seed)
    x_train = _mp_tensor(data["x_train"], None)
    y_train = _mp_from_numpy(_mp_np_array(data["y_train"], dtype=np.int64))
    x_test = _mp_tensor(data["x_test"], None)
    generator = _mp_Generator().manual_seed(seed)
    batch = int(budget.get("batch_size", 64))
    logits = budget.get("outputs", "log_probs") == "logits"
    loss_function = _mp_cross_entropy if logits else _mp_nll_loss
    _mp_train(model, True)
    for _ in range(int(budget["epochs"])):
        order = _mp_randperm(len(y_train), generator=generator)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            _mp_autograd_backward([loss_function(model(x_train[rows]), y_train[rows])])
            optimizer.step()
    _mp_train(model, False)
    with _mp_no_grad():
        return {"outputs": _mp_plain_output(model(x_test))}

"""The sandbox job that runs ONE test plan of a code part over one source (see `code_runs`).

Shipped into the sandbox as source text, bundled after `model_probes.py` (see
`question_engine.jobs`). The trusted side sends a *plan*: how to build the inputs and what to
observe, never the test's name, kind, points, visibility, tolerances or hints. Every plan makes
the same kind of call through `invoke`, and every call is observed the same way (output, inputs
changed or not, registered parameters as arrays), so submitted code cannot tell which property
is being judged. Nothing here compares with expected values: there are none in this process.

Uses the standard library, numpy and, when the job's runtime has it, torch.
"""

import linecache
import traceback

import numpy as np

try:
    import torch
    from torch import nn
except ImportError:  # the "numpy" runtime: torch cannot be imported at all
    torch = None
    nn = None

MAX_MESSAGE = 1500
NUMPY_DTYPES = {"float64": np.float64, "float32": np.float32, "int64": np.int64}

# Bound before any submitted code runs, so patching torch or numpy cannot change how this job
# reads results. (Code in this process can still corrupt anything; what it cannot do is learn
# the expected values, which never enter it.)
_np_array = np.array
_np_array_equal = np.array_equal
_np_ndarray = np.ndarray
if torch is not None:
    _Tensor = torch.Tensor
    _Parameter = nn.Parameter
    _Module = nn.Module
    _TensorBase = torch._C.TensorBase
    _t_detach = _TensorBase.detach
    _t_clone = _TensorBase.clone
    _t_to = _TensorBase.to
    _t_numpy = _TensorBase.numpy
    _t_is_complex = _TensorBase.is_complex
    _t_equal = torch.equal
    _t_tensor = torch.tensor
    # The CPU generator alone: torch.manual_seed also queues seeding for every lazy device
    # backend, recording a Python stack each time (most of a test's harness time).
    _t_manual_seed = torch.default_generator.manual_seed
    _float64 = torch.float64
    _no_torch_function = torch._C.DisableTorchFunction
    _named_parameters = nn.Module.named_parameters
    DTYPES = {"float64": torch.float64, "float32": torch.float32, "int64": torch.int64}
    ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}


class SubmissionProblem(Exception):
    """The submitted object does not have the shape a test needs; the message says what to do."""


def error_record(exc, filename):
    """Type, message and the line of `filename` where `exc` was raised (if any)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames else None
    code_line = frames[-1].line if frames else None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line, code_line = exc.lineno, (exc.text or "").strip()
    try:
        message = str(exc.msg if isinstance(exc, SyntaxError) else exc)
    except Exception:  # noqa: BLE001 - a rigged exception may fail to print
        message = "<message could not be read>"
    kind = "Problem" if isinstance(exc, SubmissionProblem) else type(exc).__name__
    if not isinstance(kind, str):
        kind = "Exception"
    return {
        "type": kind,
        "message": message[:MAX_MESSAGE] if isinstance(message, str) else "",
        "line": line if isinstance(line, int) else None,
        "code_line": code_line if isinstance(code_line, str) else "",
    }


def load_source(source, filename):
    """Execute `source` as a fresh module and return its namespace."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "submission", "__file__": filename}
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)
    return namespace


def plain_output(value):
    """A returned value as plain data tagged with its type; unknown objects by type name only.

    Tensors must be exactly torch.Tensor (or nn.Parameter) and arrays exactly numpy.ndarray:
    a subclass could answer for itself, so it is reported by name and never read.
    """
    kind = type(value)
    if torch is not None and kind in (_Tensor, _Parameter):
        with _no_torch_function():
            tensor = _t_detach(value)
            dtype = str(tensor.dtype).removeprefix("torch.")
            if _t_is_complex(tensor) or dtype in ("bfloat16", "float16"):
                tensor = _t_to(tensor, _float64)
            values = _np_array(_t_numpy(_t_to(tensor, "cpu")), copy=True)
        return {"type": "tensor", "dtype": dtype, "shape": list(values.shape), "values": values}
    if kind is _np_ndarray:
        values = _np_array(value, copy=True)
        if values.dtype.kind not in "biufc":
            return {"type": "other", "name": f"array of {values.dtype}"}
        return {
            "type": "array",
            "dtype": str(values.dtype),
            "shape": list(values.shape),
            "values": values,
        }
    if kind in (tuple, list):
        return {"type": "sequence", "items": [plain_output(item) for item in value]}
    if kind in (bool, int, float):
        return {"type": "number", "value": float(value) if kind is float else int(value)}
    if kind is str:
        return {"type": "text", "value": value[:MAX_MESSAGE]}
    if value is None:
        return {"type": "none"}
    return {"type": "other", "name": str(getattr(kind, "__name__", "?"))[:100]}


def _rng_values(spec, shape):
    rng = np.random.default_rng(spec.get("seed", 0))
    dtype = spec.get("dtype")
    if dtype == "int64":
        return rng.integers(spec.get("low", 0), spec.get("high", 10), size=shape)
    if spec.get("dist", "normal") == "uniform":
        values = rng.uniform(spec.get("low", -1.0), spec.get("high", 1.0), size=shape)
    else:
        mean = np.asarray(spec.get("mean", 0.0), dtype=np.float64)
        std = np.asarray(spec.get("std", 1.0), dtype=np.float64)
        values = mean + std * rng.standard_normal(shape)
    if spec.get("symmetric"):
        values = (values + np.swapaxes(values, -1, -2)) / 2
    return values


def build_tensor(spec, default_dtype):
    """A tensor (numpy array in the numpy runtime) from a seeded numpy generator."""
    spec = dict(spec)
    spec.setdefault("dtype", default_dtype)
    values = _rng_values(spec, tuple(spec["shape"]))
    if torch is None:
        return values.astype(NUMPY_DTYPES[spec["dtype"]])
    tensor = _t_tensor(values, dtype=DTYPES[spec["dtype"]])
    if spec.get("requires_grad"):
        tensor.requires_grad_(True)
    return tensor


def build_mlp(spec, default_dtype):
    """A given MLP: Linear layers of `sizes` with an activation between them, seeded init."""
    sizes = spec["sizes"]
    _t_manual_seed(spec.get("seed", 0))
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(ACTIVATIONS[spec.get("activation", "relu")]())
    return nn.Sequential(*layers).to(DTYPES[spec.get("dtype", default_dtype)])


def build_layer_norm(spec, default_dtype):
    """A given nn.LayerNorm with seeded, non-trivial scale and shift."""
    norm = nn.LayerNorm(spec["size"], eps=spec.get("eps", 1e-5))
    rng = np.random.default_rng(spec.get("seed", 0))
    with torch.no_grad():
        norm.weight.copy_(_t_tensor(rng.uniform(0.5, 1.5, spec["size"])))
        norm.bias.copy_(_t_tensor(rng.normal(0.0, 0.5, spec["size"])))
    return norm.to(DTYPES[spec.get("dtype", default_dtype)])


BUILDERS = {"tensor": build_tensor, "mlp": build_mlp, "layer_norm": build_layer_norm}


def build_value(spec, default_dtype):
    """An argument: a builder table ({tensor = ...}, {mlp = ...}) or a plain TOML value."""
    if isinstance(spec, dict) and len(spec) == 1:
        ((kind, options),) = spec.items()
        if kind in BUILDERS:
            return BUILDERS[kind](options, default_dtype)
    if isinstance(spec, dict):
        return {key: build_value(value, default_dtype) for key, value in spec.items()}
    if isinstance(spec, list):
        return [build_value(value, default_dtype) for value in spec]
    return spec


def _is_tensor_like(value):
    return (torch is not None and type(value) in (_Tensor, _Parameter)) or type(
        value
    ) is _np_ndarray


def _snapshot(value):
    """The input's class and a private copy of its values, read without its own methods."""
    if torch is not None and isinstance(value, _TensorBase):
        with _no_torch_function():
            return type(value), _t_clone(_t_detach(value))
    return type(value), _np_array(value, copy=True)


def _unchanged(value, snapshot):
    """Whether the input still has its class and values (a class swapped in counts as a change)."""
    kind, copy_ = snapshot
    if type(value) is not kind:
        return False
    if torch is not None and isinstance(value, _TensorBase):
        with _no_torch_function():
            return bool(_t_equal(_t_detach(value), copy_))
    return bool(_np_array_equal(_np_array(value, copy=False), copy_, equal_nan=True))


def invoke(function, args, kwargs):
    """Call the submission's entry point from a frame that carries nothing about the test."""
    return function(*args, **kwargs)


class Target:
    """The entry point of one plan made callable: a function, or a constructed nn.Module."""

    def __init__(self, namespace, plan):
        self.plan = plan
        self.dtype = plan.get("dtype", "float64")
        name = plan["entry"]
        entry = namespace.get(name)
        if entry is None:
            raise SubmissionProblem(f"your code does not define {name}; define it at top level")
        self.module = None
        self.initial = None
        if torch is not None:
            _t_manual_seed(plan.get("seed", 0))
        if isinstance(entry, type):
            self.module = self._construct(entry, name)
            method = plan.get("method")
            self.function = getattr(self.module, method) if method else self.module
        elif callable(entry):
            self.function = entry
        else:
            raise SubmissionProblem(f"{name} must be a function or a class")
        self.args = [build_value(arg, self.dtype) for arg in plan.get("args", [])]
        self.kwargs = build_value(plan.get("kwargs", {}), self.dtype)
        self.changed = []

    def _construct(self, cls, name):
        construct = self.plan.get("construct", {})
        args = [build_value(arg, self.dtype) for arg in construct.get("args", [])]
        kwargs = build_value(construct.get("kwargs", {}), self.dtype)
        module = invoke(cls, args, kwargs)
        if torch is None or not isinstance(module, _Module):
            raise SubmissionProblem(f"{name} must be a subclass of torch.nn.Module")
        if self.dtype in ("float64", "float32"):
            module.to(DTYPES[self.dtype])
        self.initial = {
            name: plain_output(parameter) for name, parameter in _named_parameters(module)
        }
        for parameter_name, spec in self.plan.get("set_parameters", {}).items():
            set_parameter(module, parameter_name, build_value(spec, self.dtype))
        return module

    def inputs(self):
        """Every tensor/array the call receives, with a label, in a fixed order."""
        found = [(f"argument {i}", a) for i, a in enumerate(self.args) if _is_tensor_like(a)]
        found += [(f"argument {k}", v) for k, v in self.kwargs.items() if _is_tensor_like(v)]
        return found

    def call(self):
        """One call on the plan's inputs; records which inputs it changed in `self.changed`."""
        if torch is not None:
            _t_manual_seed(self.plan.get("seed", 0))
        inputs = self.inputs()
        before = [_snapshot(value) for _, value in inputs]
        result = invoke(self.function, self.args, self.kwargs)
        for name in self.plan.get("then", []):
            method = getattr(self.module, name, None)
            if not callable(method):
                raise SubmissionProblem(f"the module has no method {name}(); define it")
            result = invoke(method, [result], {})
        for (label, value), copy_ in zip(inputs, before, strict=True):
            if not _unchanged(value, copy_) and label not in self.changed:
                self.changed.append(label)
        return result

    def modules(self):
        """The constructed module and every nn.Module argument, with name prefixes."""
        found = [("", self.module)] if self.module is not None else []
        found += [(f"arg{i}.", a) for i, a in enumerate(self.args) if isinstance(a, _Module)]
        return found

    def parameters(self):
        """Registered parameters of the constructed module, as plain rows with their values."""
        if self.module is None:
            return None
        return [
            {
                "name": name,
                "shape": list(parameter.shape),
                "requires_grad": bool(parameter.requires_grad),
                "is_parameter": type(parameter) is _Parameter,
                "values": plain_output(parameter),
            }
            for name, parameter in _named_parameters(self.module)
        ]


def set_parameter(module, name, value):
    """Overwrite a parameter (or a plain tensor attribute) so tests use non-trivial values."""
    parameters = dict(_named_parameters(module))
    if name in parameters:
        parameter = parameters[name]
        if tuple(parameter.shape) != tuple(value.shape):
            raise SubmissionProblem(
                f"parameter {name} has shape {tuple(parameter.shape)}, "
                f"expected {tuple(value.shape)}"
            )
        with torch.no_grad():
            parameter.copy_(value)
        return
    current = getattr(module, name, None)
    if isinstance(current, _Tensor) and tuple(current.shape) == tuple(value.shape):
        setattr(module, name, _t_clone(_t_detach(value)))
        return
    listed = ", ".join(parameters) or "none"
    raise SubmissionProblem(
        f"the module has no learnable parameter named {name} (registered: {listed}); "
        f"create it in __init__ as self.{name} = nn.Parameter(...)"
    )


def output_tensors(output):
    if torch is None:
        return []
    if type(output) in (_Tensor, _Parameter):
        return [output]
    if type(output) in (tuple, list):
        return [item for item in output if type(item) in (_Tensor, _Parameter)]
    return []


def observe_call(target, plan, context):
    outputs = [plain_output(target.call()) for _ in range(plan.get("calls", 1))]
    return {"outputs": outputs}


def observe_gradients(target, plan, context):
    output = target.call()
    tensors = [t for t in output_tensors(output) if t.is_floating_point()]
    if not tensors:
        raise SubmissionProblem(
            f"expected a floating-point torch.Tensor (or a tuple of them), got "
            f"{type(output).__name__}; return the result"
        )
    if not all(t.requires_grad for t in tensors):
        raise SubmissionProblem(
            "the output is not connected to the autograd graph of the inputs and parameters "
            "(avoid .detach(), .item(), .numpy(), torch.no_grad() and building new tensors "
            "from values)"
        )
    rng = np.random.default_rng(plan.get("seed", 0) + 1000)
    loss = sum(
        (t * _t_tensor(rng.standard_normal(tuple(t.shape)), dtype=t.dtype)).sum() for t in tensors
    )
    loss.backward()
    input_grads = {
        str(i): plain_output(arg.grad)
        for i, arg in enumerate(target.args)
        if type(arg) is _Tensor and arg.requires_grad
    }
    param_grads = {
        prefix + name: plain_output(parameter.grad)
        for prefix, module in target.modules()
        for name, parameter in _named_parameters(module)
    }
    return {
        "outputs": [plain_output(output)],
        "input_grads": input_grads,
        "param_grads": param_grads,
    }


def observe_modes(target, plan, context):
    if target.module is None:
        raise SubmissionProblem("this test needs a class (an nn.Module), not a function")
    target.module.train()
    trained = plain_output(target.call())
    target.module.eval()
    return {"train": trained, "eval": plain_output(target.call())}


def observe_construct(target, plan, context):
    if target.module is None:
        raise SubmissionProblem("this test needs a class (an nn.Module), not a function")
    return {}


def model_and_optimizer(result):
    if type(result) not in (tuple, list) or len(result) != 2:
        raise SubmissionProblem("return a pair (model, optimizer)")
    model, optimizer = result
    if not isinstance(model, _Module):
        raise SubmissionProblem(f"the model must be an nn.Module, not {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise SubmissionProblem(
            f"the optimizer must be a torch.optim optimizer, not {type(optimizer).__name__}"
        )
    return model, optimizer


def observe_setup(target, plan, context):
    model, optimizer = model_and_optimizer(target.call())
    return {"setup": measure_setup(model, optimizer)}  # noqa: F821 - bundled from model_probes


def observe_training(target, plan, context):
    model, optimizer = model_and_optimizer(target.call())
    return train_and_predict(model, optimizer, context["data"], plan["training"])  # noqa: F821


OBSERVERS = {
    "call": observe_call,
    "gradients": observe_gradients,
    "modes": observe_modes,
    "construct": observe_construct,
    "setup": observe_setup,
    "training": observe_training,
}


def run_plan(namespace, plan, context, filename):
    """One plan's observations (or its error record)."""
    try:
        target = Target(namespace, plan)
        observed = OBSERVERS[plan["observe"]](target, plan, context)
        if target.module is not None and plan["observe"] not in ("setup", "training"):
            observed["parameters"] = target.parameters()
            observed["initial"] = target.initial
        observed["changed"] = list(target.changed)
        return {"observed": observed}
    except BaseException as exc:  # noqa: BLE001 - whatever the code raises is reported
        return {"error": error_record(exc, filename)}


def run_test(source, filename, plan, data):
    """Load `source` as a module, then run the one `plan`; never raises for the code's errors."""
    if torch is not None:
        torch.set_num_threads(1)
    try:
        namespace = load_source(source, filename)
    except BaseException as exc:  # noqa: BLE001
        return {"load_error": error_record(exc, filename)}
    return {"load_error": None, **run_plan(namespace, plan, {"data": data}, filename)}


def load_only(source, filename):
    """Load `source` and report a load error, if any (parts without visible tests use this)."""
    try:
        load_source(source, filename)
    except BaseException as exc:  # noqa: BLE001
        return {"load_error": error_record(exc, filename)}
    return {"load_error": None}


def run_author_plans(sources, plans, data):
    """Trusted author code (the reference, then each known wrong solution): every plan, each
    on a freshly loaded module, so that each plan starts as a student's job does."""
    runs = []
    for filename, source in sources:
        results = [run_test(source, filename, plan, data) for plan in plans]
        load_error = next((r["load_error"] for r in results if r["load_error"]), None)
        runs.append({"load_error": load_error, "tests": results})
    return runs

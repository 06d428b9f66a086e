"""The sandbox job that runs a code part's tests over one source (see `question_engine.code_runs`).

Shipped into the sandbox as this one file's source text (see `question_engine.jobs`).

`run_code_tests` executes one source (a submission, the reference or a known wrong solution) as
its own module, then for each test builds the inputs deterministically, calls the entry point
and returns plain observations: numbers, strings, numpy arrays and dicts/lists of those. It
never compares anything with expected values: it has none. Uses the standard library, numpy
and torch only.
"""

import contextlib
import io
import json
import linecache
import traceback

import numpy as np
import torch
from torch import nn
from torch.autograd import forward_ad
from torch.autograd.variable import Variable

DTYPES = {"float64": torch.float64, "float32": torch.float32, "int64": torch.int64}
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
MAX_TEST_STDOUT = 4000
MAX_MESSAGE = 1500
STEP_SIZE = 0.5


class SubmissionProblem(Exception):
    """The submitted object does not have the shape a test needs; the message says what to do."""


class CappedText(io.StringIO):
    """A stdout replacement that keeps only the first MAX_TEST_STDOUT characters."""

    def write(self, text):
        room = MAX_TEST_STDOUT - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


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
    return {
        "type": kind,
        "message": message[:MAX_MESSAGE],
        "line": line if isinstance(line, int) else None,
        "code_line": code_line or "",
    }


def load_source(source, filename):
    """Execute `source` as a fresh module and return its namespace."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "submission", "__file__": filename}
    exec(compile(source, filename, "exec", dont_inherit=True), namespace)
    return namespace


def plain_output(value):
    """A returned value as plain data tagged with its type; unknown objects by type name only."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        if tensor.is_complex() or tensor.dtype == torch.bfloat16 or tensor.dtype == torch.float16:
            tensor = tensor.to(torch.float64)
        return {
            "type": "tensor",
            "dtype": str(value.dtype).removeprefix("torch."),
            "shape": list(tensor.shape),
            "values": tensor.numpy().copy(),
        }
    if isinstance(value, tuple | list):
        return {"type": "sequence", "items": [plain_output(item) for item in value]}
    if isinstance(value, bool | int | float) and not isinstance(value, np.generic):
        number = float(value) if isinstance(value, float) else int(value)
        return {"type": "number", "value": number}
    if isinstance(value, str):
        return {"type": "text", "value": value[:MAX_MESSAGE]}
    if value is None:
        return {"type": "none"}
    return {"type": "other", "name": type(value).__name__}


def build_tensor(spec, default_dtype):
    """A tensor drawn from a seeded numpy generator: normal(mean, std) or uniform(low, high)."""
    shape = tuple(spec["shape"])
    rng = np.random.default_rng(spec.get("seed", 0))
    dtype = DTYPES[spec.get("dtype", default_dtype)]
    if dtype == torch.int64:
        values = rng.integers(spec.get("low", 0), spec.get("high", 10), size=shape)
    elif spec.get("dist", "normal") == "uniform":
        values = rng.uniform(spec.get("low", -1.0), spec.get("high", 1.0), size=shape)
    else:
        mean = np.asarray(spec.get("mean", 0.0), dtype=np.float64)
        std = np.asarray(spec.get("std", 1.0), dtype=np.float64)
        values = mean + std * rng.standard_normal(shape)
    if spec.get("symmetric"):
        values = (values + np.swapaxes(values, -1, -2)) / 2
    tensor = torch.tensor(values, dtype=dtype)
    if spec.get("requires_grad"):
        tensor.requires_grad_(True)
    return tensor


def build_mlp(spec, default_dtype):
    """A given MLP: Linear layers of `sizes` with an activation between them, seeded init."""
    sizes = spec["sizes"]
    torch.manual_seed(spec.get("seed", 0))
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
        norm.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, spec["size"])))
        norm.bias.copy_(torch.tensor(rng.normal(0.0, 0.5, spec["size"])))
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
    return spec


class Target:
    """The entry point of one test made callable: a function, or a constructed nn.Module."""

    def __init__(self, namespace, test, default_entry, autograd_allowed=False):
        self.test = test
        self.autograd_allowed = autograd_allowed
        self.dtype = test.get("dtype", "float64")
        name = test.get("entry") or default_entry
        entry = namespace.get(name)
        if entry is None:
            raise SubmissionProblem(f"your code does not define {name}; define it at top level")
        self.module = None
        torch.manual_seed(test.get("seed", 0))
        if isinstance(entry, type):
            self.module = self._construct(entry, name)
            method = test.get("method")
            self.function = getattr(self.module, method) if method else self.module
        elif callable(entry):
            self.function = entry
        else:
            raise SubmissionProblem(f"{name} must be a function or a class")
        self.args = [build_value(arg, self.dtype) for arg in test.get("args", [])]
        self.kwargs = build_value(test.get("kwargs", {}), self.dtype)

    def _construct(self, cls, name):
        construct = self.test.get("construct", {})
        args = [build_value(arg, self.dtype) for arg in construct.get("args", [])]
        kwargs = build_value(construct.get("kwargs", {}), self.dtype)
        module = cls(*args, **kwargs)
        if not isinstance(module, nn.Module):
            raise SubmissionProblem(f"{name} must be a subclass of torch.nn.Module")
        if self.dtype in ("float64", "float32"):
            module.to(DTYPES[self.dtype])
        for parameter_name, spec in self.test.get("set_parameters", {}).items():
            set_parameter(module, parameter_name, build_value(spec, self.dtype))
        return module

    def call(self, args=None):
        """The entry's result on the test's inputs, passed through the `then` methods in turn."""
        torch.manual_seed(self.test.get("seed", 0))
        args = self.args if args is None else args
        if self.test.get("forbid_autograd") and not self.autograd_allowed:
            with autograd_forbidden():
                return self._chain(self.function(*args, **self.kwargs))
        return self._chain(self.function(*args, **self.kwargs))

    def _chain(self, result):
        for name in self.test.get("then", []):
            method = getattr(self.module, name, None)
            if not callable(method):
                raise SubmissionProblem(f"the module has no method {name}(); define it")
            result = method(result)
        return result

    def modules(self):
        """The constructed module and every nn.Module argument, with name prefixes."""
        found = [("", self.module)] if self.module is not None else []
        found += [(f"arg{i}.", a) for i, a in enumerate(self.args) if isinstance(a, nn.Module)]
        return found


def set_parameter(module, name, value):
    """Overwrite a parameter (or a plain tensor attribute) so tests use non-trivial values."""
    parameters = dict(module.named_parameters())
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
    if isinstance(current, torch.Tensor) and tuple(current.shape) == tuple(value.shape):
        setattr(module, name, value.detach().clone())
        return
    listed = ", ".join(parameters) or "none"
    raise SubmissionProblem(
        f"the module has no learnable parameter named {name} (registered: {listed}); "
        f"create it in __init__ as self.{name} = nn.Parameter(...)"
    )


class RefusingEngine:
    """Stands in for torch's autograd engine while a test forbids autograd."""

    def __getattr__(self, name):
        raise SubmissionProblem(
            "this part asks for the gradients by hand: autograd (backward(), "
            "torch.autograd.grad, torch.func and the like) is not allowed here"
        )


def refuse_forward_ad(*args, **kwargs):
    raise SubmissionProblem(
        "this part asks for the gradients by hand: forward-mode autograd "
        "(torch.func.jvp, jacfwd, forward_ad) is not allowed here"
    )


@contextlib.contextmanager
def autograd_forbidden():
    """Make every route into the autograd engine raise, for parts asking for gradients by hand.

    The engine object itself is replaced, so backward(), torch.autograd.grad (even when imported
    before the test), torch.autograd.functional and torch.func's reverse mode all refuse.
    """
    saved_engine = Variable.__dict__["_execution_engine"]
    saved_make_dual = forward_ad.make_dual
    Variable._execution_engine = RefusingEngine()
    forward_ad.make_dual = refuse_forward_ad
    try:
        yield
    finally:
        Variable._execution_engine = saved_engine
        forward_ad.make_dual = saved_make_dual


def output_tensors(output):
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, tuple | list):
        return [item for item in output if isinstance(item, torch.Tensor)]
    return []


def probe_forward(target, test, context):
    return {"output": plain_output(target.call())}


def probe_gradients(target, test, context):
    output = target.call()
    tensors = [t for t in output_tensors(output) if t.is_floating_point()]
    if not tensors or not all(t.requires_grad for t in tensors):
        raise SubmissionProblem(
            "the output is not connected to the autograd graph of the inputs and parameters "
            "(avoid .detach(), .item(), .numpy(), torch.no_grad() and building new tensors "
            "from values)"
        )
    rng = np.random.default_rng(test.get("seed", 0) + 1000)
    loss = sum(
        (t * torch.tensor(rng.standard_normal(tuple(t.shape)), dtype=t.dtype)).sum()
        for t in tensors
    )
    loss.backward()
    input_grads = {
        str(i): plain_output(arg.grad)
        for i, arg in enumerate(target.args)
        if isinstance(arg, torch.Tensor) and arg.requires_grad
    }
    param_grads = {
        prefix + name: plain_output(parameter.grad)
        for prefix, module in target.modules()
        for name, parameter in module.named_parameters()
    }
    return {"output": plain_output(output), "input_grads": input_grads, "param_grads": param_grads}


def probe_parameters(target, test, context):
    if target.module is None:
        raise SubmissionProblem("this test needs a class (an nn.Module), not a function")
    return {
        "parameters": [
            {"name": name, "shape": list(p.shape), "requires_grad": bool(p.requires_grad)}
            for name, p in target.module.named_parameters()
        ]
    }


def probe_inplace(target, test, context):
    before = [a.detach().clone() if isinstance(a, torch.Tensor) else None for a in target.args]
    output = target.call()
    changed = [
        f"argument {i}"
        for i, (arg, copy) in enumerate(zip(target.args, before, strict=True))
        if copy is not None and not torch.equal(arg.detach(), copy)
    ]
    return {"output": plain_output(output), "changed": changed}


def probe_determinism(target, test, context):
    first = plain_output(target.call())
    return {"first": first, "second": plain_output(target.call())}


def probe_modes(target, test, context):
    if target.module is None:
        raise SubmissionProblem("this test needs a class (an nn.Module), not a function")
    target.module.train()
    trained = plain_output(target.call())
    target.module.eval()
    return {"train": trained, "eval": plain_output(target.call())}


def model_and_optimizer(result):
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise SubmissionProblem("return a pair (model, optimizer)")
    model, optimizer = result
    if not isinstance(model, nn.Module):
        raise SubmissionProblem(f"the model must be an nn.Module, not {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise SubmissionProblem(
            f"the optimizer must be a torch.optim optimizer, not {type(optimizer).__name__}"
        )
    return model, optimizer


def training_setup(model, optimizer):
    """Raw observations of a freshly built model and its optimizer; the marker judges them."""
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    return {
        "optimizer": type(optimizer).__name__,
        "learning_rates": [float(group["lr"]) for group in optimizer.param_groups],
        "parameters": [
            {
                "name": name,
                "shape": list(p.shape),
                "std": float(p.detach().double().std()) if p.numel() > 1 else 0.0,
                "optimized": id(p) in optimized,
            }
            for name, p in model.named_parameters()
        ],
        "modules": [
            type(module).__name__
            for module in model.modules()
            if not any(True for _ in module.children())
        ],
    }


def probe_facts(target, test, context):
    model, optimizer = model_and_optimizer(target.call())
    return {"setup": training_setup(model, optimizer)}


def train_and_predict(model, optimizer, data, budget):
    """Train for `budget` epochs with fixed seeds; return the model's outputs on held-out inputs.

    The held-out labels never enter the sandbox: the marker scores these outputs itself.
    """
    x_train = torch.tensor(np.asarray(data["x_train"], dtype=np.float32))
    y_train = torch.tensor(np.asarray(data["y_train"], dtype=np.int64))
    x_test = torch.tensor(np.asarray(data["x_test"], dtype=np.float32))
    generator = torch.Generator().manual_seed(budget.get("seed", 0))
    batch = budget.get("batch_size", 64)
    loss_function = (
        nn.functional.nll_loss
        if budget.get("outputs", "log_probs") == "log_probs"
        else nn.functional.cross_entropy
    )
    model.train()
    for _ in range(budget["epochs"]):
        order = torch.randperm(len(y_train), generator=generator)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            loss_function(model(x_train[rows]), y_train[rows]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return plain_output(model(x_test))


def probe_training(target, test, context):
    key = json.dumps([test.get("entry"), test.get("args"), test.get("training")], sort_keys=True)
    memo = context["trained"]
    if key not in memo:
        model, optimizer = model_and_optimizer(target.call())
        setup = training_setup(model, optimizer)
        torch.manual_seed(test["training"].get("seed", 0))
        outputs = train_and_predict(model, optimizer, context["data"], test["training"])
        memo[key] = {"setup": setup, "outputs": outputs}
    return memo[key]


def probe_symmetric(target, test, context):
    """The named parameters right after construction and after one plain gradient step."""
    if target.module is None:
        raise SubmissionProblem("this test needs a class (an nn.Module), not a function")
    parameters = dict(target.module.named_parameters())
    initial = {name: plain_output(parameters[name]) for name in test["names"] if name in parameters}
    output = target.call()
    tensors = [t for t in output_tensors(output) if t.is_floating_point() and t.requires_grad]
    if tensors:
        rng = np.random.default_rng(test.get("seed", 0) + 2000)
        loss = sum(
            (t * torch.tensor(rng.standard_normal(tuple(t.shape)), dtype=t.dtype)).sum()
            for t in tensors
        )
        loss.backward()
    with torch.no_grad():
        for parameter in parameters.values():
            if parameter.grad is not None:
                parameter -= STEP_SIZE * parameter.grad
    stepped = {name: plain_output(parameters[name]) for name in initial}
    return {"initial": initial, "stepped": stepped}


PROBES = {
    "forward": probe_forward,
    "gradients": probe_gradients,
    "parameters": probe_parameters,
    "inplace": probe_inplace,
    "determinism": probe_determinism,
    "modes": probe_modes,
    "facts": probe_facts,
    "training": probe_training,
    "symmetric": probe_symmetric,
}


def run_one_test(namespace, test, default_entry, context, filename):
    """One test's observations (or its error record), with what it printed."""
    printed = CappedText()
    try:
        with contextlib.redirect_stdout(printed):
            target = Target(namespace, test, default_entry, context["autograd_allowed"])
            observed = PROBES[test["check"]](target, test, context)
        return {"observed": observed, "stdout": printed.getvalue()}
    except BaseException as exc:  # noqa: BLE001 - whatever the code raises is reported
        return {"error": error_record(exc, filename), "stdout": printed.getvalue()}


def run_code_tests(source, filename, default_entry, tests, data, autograd_allowed=False):
    """Load `source` as a module and run every test; never raises for the code's own errors.

    `autograd_allowed` lifts `forbid_autograd`: only the reference gets it, so that it can
    compute by autograd the gradients a submission must derive by hand.
    """
    torch.set_num_threads(1)
    printed = CappedText()
    try:
        with contextlib.redirect_stdout(printed):
            namespace = load_source(source, filename)
    except BaseException as exc:  # noqa: BLE001
        return {"load_error": error_record(exc, filename), "stdout": printed.getvalue()}
    context = {"data": data, "trained": {}, "autograd_allowed": autograd_allowed}
    results = {
        test["name"]: run_one_test(namespace, test, default_entry, context, filename)
        for test in tests
    }
    return {"load_error": None, "stdout": printed.getvalue(), "tests": results}


def run_author_sources(sources, default_entry, tests, data):
    """The reference (first) and each known wrong solution, each in a fresh module namespace."""
    return [
        run_code_tests(source, filename, default_entry, tests, data, autograd_allowed=index == 0)
        for index, (filename, source) in enumerate(sources)
    ]

"""What a submission can learn or fake from inside its sandbox job, through the real sandbox.

Hidden tests' plans never reach the student (not through prints, exceptions, gc scans or an
early exit), a test that hangs costs only that test, state never carries from one test to the
next, code that computes nothing earns nothing, and the harness frames above the student's
code say nothing about which check is running.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from question_engine import load_question, mark_code_part, run_visible_tests
from question_engine.code_parts import code_part

LAYER_NORM = load_question(settings.BANK_ROOT / "code-layer-norm")
PART = code_part(LAYER_NORM, "impl")
FUNCTION = dict(LAYER_NORM.paper_params)
MODULE = {**FUNCTION, "form": "module", "eps": 0.001, "features": 4}
SEED = FUNCTION["data_seed"]
HIDDEN_SEEDS = (str(SEED + 4), str(SEED + 6))
"""The input seeds of the paper variant's two hidden tests (small_variance_rows, in-place)."""
VISIBLE_SEED = str(SEED)
"""The input seed of the visible keeps_float32 test (the first one, so its output is shown)."""

CORRECT = PART.solution

GC_SCAN = """
import gc, sys

def _specs():
    # The seeds of every input-builder table in the process (a plan's tensors).
    return sorted(
        {str(o["seed"]) for o in gc.get_objects()
         if isinstance(o, dict) and {"seed", "shape"} <= set(o)}
    )

print("AT IMPORT", _specs())

def layer_norm(X, alpha, beta, eps=1e-4):
    found = _specs()
    print("IN CALL", found)
    print("STDERR", found, file=sys.stderr)
    raise RuntimeError("found " + " ".join(found))
"""

EARLY_EXIT = """
import gc, os

def layer_norm(X, alpha, beta, eps=1e-4):
    found = sorted(
        {str(o["seed"]) for o in gc.get_objects()
         if isinstance(o, dict) and {"seed", "shape"} <= set(o)}
    )
    os.write(1, ("LEAK " + " ".join(found)).encode())
    os.write(2, ("LEAK " + " ".join(found)).encode())
    os._exit(0)
"""

FRAMES = """
import sys, torch

WORDS = ("check", "inplace", "visibility", "points", "hidden", "rtol", "mixed_scale_rows")

def layer_norm(X, alpha, beta, eps=1e-4):
    frame, seen = sys._getframe(1), []
    while frame is not None:
        seen.append(frame.f_code.co_name)
        seen.extend(frame.f_locals)
        for value in frame.f_locals.values():
            if isinstance(value, dict):
                seen.extend(str(key) for key in value)
            for name in ("plan", "test"):
                if isinstance(getattr(value, name, None), dict):
                    seen.extend(str(key) for key in getattr(value, name))
        frame = frame.f_back
    print("FRAMES", len(seen), "SUSPICIOUS", [w for w in seen if w in WORDS])
    mean = X.mean(dim=-1, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=-1, keepdim=True)
    return alpha * (X - mean) / torch.sqrt(var + eps) + beta
"""


def _leaks_nothing_hidden(text: str) -> None:
    for seed in HIDDEN_SEEDS:
        assert seed not in text, f"hidden test seed {seed} leaked:\n{text}"


@pytest.mark.parametrize("source", [GC_SCAN, EARLY_EXIT], ids=["gc_scan", "early_exit"])
def test_hidden_test_plans_never_reach_the_student(source):
    marked = mark_code_part(LAYER_NORM, "impl", FUNCTION, source)
    visible = run_visible_tests(LAYER_NORM, "impl", FUNCTION, source)
    assert marked.score == 0.0
    for result in (marked, visible):
        text = result.feedback + repr(result.details)
        _leaks_nothing_hidden(text)
        # The same scan shows the visible test's own plan, so the check above can fail.
        assert VISIBLE_SEED in text


def test_a_test_that_hangs_fails_alone_and_is_named():
    """A correct solution that loops forever on the hidden small-variance rows keeps 6 of 8."""
    source = CORRECT.replace(
        "import torch",
        "import torch\n\n\ndef _stall(X):\n    while float(X.std()) < 0.05:\n        pass",
    ).replace("def layer_norm(X, alpha, beta, eps", "def _ln(X, alpha, beta, eps")
    source += (
        "\n\ndef layer_norm(X, alpha, beta, eps=1e-4):\n"
        "    _stall(X)\n"
        "    return _ln(X, alpha, beta, eps)\n"
    )
    result = mark_code_part(LAYER_NORM, "impl", FUNCTION, source)
    assert result.score == pytest.approx(6.0), result.feedback
    failed = [detail for detail in result.details if not detail["passed"]]
    assert [detail["name"] for detail in failed] == ["hidden test 1"]


def test_a_correct_solution_that_writes_a_lot_keeps_its_points():
    source = CORRECT.replace(
        "import torch",
        "import sys\nimport torch\n\nsys.stderr.write('warning: noisy\\n' * 20000)\n"
        "print('progress ' * 20000)",
    )
    result = mark_code_part(LAYER_NORM, "impl", FUNCTION, source)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback
    assert "progress" in result.feedback and "warning: noisy" in result.feedback
    assert "the rest is not shown" in result.feedback


def test_state_never_carries_from_one_test_to_another():
    """Each test runs in a fresh process: a module-level counter and a file in /tmp are new."""
    source = CORRECT.replace(
        "import torch",
        "import os\nimport torch\n\nCALLS = []\n"
        "if os.path.exists('/tmp/seen'):\n    raise RuntimeError('a file from an earlier test')\n"
        "open('/tmp/seen', 'w').close()",
    ).replace(
        "    mean = X.mean(",
        "    CALLS.append(1)\n    if len(CALLS) > 1:\n        raise RuntimeError('called before')\n"
        "    mean = X.mean(",
    )
    assert "CALLS.append" in source
    result = mark_code_part(LAYER_NORM, "impl", FUNCTION, source)
    assert (result.status, result.score) == ("correct", 8.0), result.feedback


@pytest.mark.parametrize("params", [FUNCTION, MODULE], ids=["function", "module"])
@pytest.mark.parametrize(
    "body", ["torch.zeros_like(X)", "X.clone()", "X"], ids=["zeros", "copy", "input"]
)
def test_code_that_computes_nothing_scores_nothing(params, body):
    if params["form"] == "module":
        source = (
            "import torch\nfrom torch import nn\n\n"
            "class LayerNorm(nn.Module):\n"
            "    def __init__(self, num_features, eps=1e-3):\n"
            "        super().__init__()\n"
            "        self.alpha = nn.Parameter(torch.ones(num_features))\n"
            "        self.beta = nn.Parameter(torch.zeros(num_features))\n\n"
            f"    def forward(self, X):\n        return {body}\n"
        )
    else:
        source = f"import torch\n\ndef layer_norm(X, alpha, beta, eps=1e-4):\n    return {body}\n"
    result = mark_code_part(LAYER_NORM, "impl", params, source)
    assert (result.status, result.score) == ("incorrect", 0.0), result.feedback


def test_the_frames_above_the_submission_say_nothing_about_the_test():
    result = mark_code_part(LAYER_NORM, "impl", FUNCTION, FRAMES)
    assert result.score == 8.0, result.feedback
    assert "FRAMES" in result.feedback
    assert "SUSPICIOUS []" in result.feedback, result.feedback


MEMORY_SCAN = """
import ctypes, os

libc = ctypes.CDLL(None, use_errno=True)
READ, WRITE = os.pipe()
CHUNK = 1 << 16


def regions():
    try:
        with open("/proc/self/maps") as maps:
            lines = maps.read().splitlines()
    except OSError:
        lines = []
    found = []
    for line in lines:
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if fields[1].startswith("rw") and (len(fields) < 6 or fields[5] == "[heap]"):
            found.append((start, end))
    if found:
        return found
    anchors = [id(object()), ctypes.addressof(ctypes.create_string_buffer(CHUNK))]
    return [(max(a - (256 << 20), 0) & ~0xFFFF, a + (256 << 20)) for a in anchors]


def read(address, size):
    # write() from our own memory into a pipe fails with EFAULT on unmapped pages: a safe probe.
    written = libc.write(WRITE, ctypes.c_void_p(address), ctypes.c_size_t(size))
    data = b""
    while len(data) < max(written, 0):
        data += os.read(READ, written - len(data))
    return data


def scan(needles):
    # A needle is kept as a (prefix, suffix) pair and matched in place, so the whole needle
    # never exists in this process unless the memory being scanned holds it.
    hits = {}
    for start, end in regions():
        for address in range(start, end, CHUNK):
            block = read(address, min(CHUNK, end - address))
            for prefix, suffix in needles:
                at = block.find(prefix)
                while at >= 0 and (prefix, suffix) not in hits:
                    if block.startswith(suffix, at + len(prefix)):
                        hits[(prefix, suffix)] = address + at
                    at = block.find(prefix, at + 1)
    return hits


CONTROL = "".join(["control", "-marker"]) * 3
NEEDLES = [
    (b"X.v", b"ar(dim=-1"),
    (b"((X - mean)", b" ** 2)"),
    (b"STUDENT_A_", b"SECRET"),
    (b"control-mar", b"ker"),
]
for (prefix, suffix), address in scan(NEEDLES).items():
    label = "CONTROL" if prefix == b"control-mar" else "FOUND"
    print(label, prefix.decode(), "+", suffix.decode(), "at", hex(address))


def layer_norm(X, alpha, beta, eps=1e-4):
    return X
"""

OTHER_STUDENT = CORRECT.replace("import torch", "import torch\n\nSECRET = 'STUDENT_A_SECRET'")


def test_a_job_finds_nothing_of_earlier_jobs_in_its_own_memory():
    """The reference, the wrong solutions and another student's code ran in earlier jobs on the
    same slots; scanning its own memory, a submission finds none of them (but does find a
    marker it holds itself, so the scan works)."""
    assert "STUDENT_A_SECRET" in OTHER_STUDENT and "STUDENT_A_SECRET" not in MEMORY_SCAN
    mark_code_part(LAYER_NORM, "impl", FUNCTION, OTHER_STUDENT)
    for result in (
        run_visible_tests(LAYER_NORM, "impl", FUNCTION, MEMORY_SCAN),
        mark_code_part(LAYER_NORM, "impl", FUNCTION, MEMORY_SCAN),
    ):
        assert "CONTROL" in result.feedback, result.feedback
        assert "FOUND" not in result.feedback, result.feedback
        assert result.score == 0.0

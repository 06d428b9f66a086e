"""The in-child job runner, exercised in-process (no isolation needed for these checks)."""

import numpy as np

from sandbox.codec import decode_value, encode_value
from sandbox.runner import run_job


def execute(code, *calls, filename="submission.py", max_return_bytes=1 << 20):
    blobs: list[bytes] = []
    wire_calls = [
        {
            "entry": entry,
            "args": encode_value(list(args), blobs),
            "kwargs": encode_value(dict(kwargs), blobs),
        }
        for entry, args, kwargs in calls
    ]
    request = {"code": code, "filename": filename, "calls": wire_calls}
    header, out_blobs = run_job(request, blobs, max_return_bytes)
    return header, decode_value(header["outputs"], out_blobs)


def test_calls_run_in_order_with_args_and_kwargs():
    code = "def scale(x, factor=1):\n    return x * factor\n"
    header, outputs = execute(code, ("scale", (np.arange(3),), {"factor": 2}), ("scale", (4,), {}))
    assert header["status"] == "ok"
    np.testing.assert_array_equal(outputs[0], [0, 2, 4])
    assert outputs[1] == 4


def test_error_traceback_shows_only_job_frames_with_lines():
    code = "import json\n\ndef helper(x):\n    return json.loads(x)\n\n"
    code += "def entry():\n    return helper('{')\n"
    header, outputs = execute(code, ("entry", (), {}), filename="student.py")
    error = header["error"]
    assert header["status"] == "error" and outputs == []
    assert error["type"] == "JSONDecodeError"
    assert error["line"] == 4
    assert error["call_index"] == 0
    assert 'File "student.py", line 7, in entry' in error["traceback"]
    assert "return json.loads(x)" in error["traceback"]
    assert "json/decoder.py" not in error["traceback"]
    assert "sandbox" not in error["traceback"]


def test_code_compiled_by_the_job_keeps_its_frames():
    code = (
        "def entry(source):\n"
        "    namespace = {}\n"
        "    exec(compile(source, 'submission.py', 'exec'), namespace)\n"
        "    return namespace['f']()\n"
    )
    header, _ = execute(
        code, ("entry", ("def f():\n    return 1 / 0\n",), {}), filename="harness.py"
    )
    traceback_text = header["error"]["traceback"]
    assert 'File "harness.py", line 4, in entry' in traceback_text
    assert 'File "submission.py", line 2, in f' in traceback_text
    assert header["error"]["line"] == 2


def test_syntax_error_reports_the_line():
    header, _ = execute("x = 1\ndef broken(:\n    pass\n", ("broken", (), {}))
    assert header["status"] == "error"
    assert header["error"]["type"] == "SyntaxError"
    assert header["error"]["line"] == 2
    assert header["error"]["call_index"] is None


def test_missing_entry_point_is_named():
    header, _ = execute("def other():\n    pass\n", ("layer_norm", (), {}))
    assert header["status"] == "error"
    assert "no top-level name 'layer_norm'" in header["error"]["message"]


def test_outputs_of_completed_calls_survive_a_later_error():
    code = "def ok():\n    return 1\n\ndef bad():\n    raise ValueError('nope')\n"
    header, outputs = execute(code, ("ok", (), {}), ("bad", (), {}))
    assert header["status"] == "error" and outputs == [1]
    assert header["error"]["message"] == "nope" and header["error"]["call_index"] == 1


def test_sys_exit_is_an_error_with_advice():
    header, _ = execute("import sys\ndef f():\n    sys.exit(0)\n", ("f", (), {}))
    assert header["status"] == "error"
    assert header["error"]["type"] == "SystemExit"
    assert "return a value" in header["error"]["message"]


def test_memory_error_maps_to_memory_limit():
    header, _ = execute("def f():\n    raise MemoryError()\n", ("f", (), {}))
    assert header["status"] == "memory_limit"


def test_rigged_return_is_bad_return():
    code = "class Sneaky:\n    def __eq__(self, other):\n        return True\n\n"
    code += "def f():\n    return Sneaky()\n"
    header, _ = execute(code, ("f", (), {}))
    assert header["status"] == "bad_return"
    assert "Sneaky" in header["error"]["message"]


def test_exception_with_rigged_str_is_still_reported():
    code = (
        "class Weird(Exception):\n    def __str__(self):\n        raise RuntimeError('no')\n\n"
        "def f():\n    raise Weird()\n"
    )
    header, _ = execute(code, ("f", (), {}))
    assert header["status"] == "error"
    assert header["error"]["type"] == "Weird"
    assert "could not be converted" in header["error"]["message"]


def test_oversized_return_is_output_limit():
    code = "import numpy as np\ndef f():\n    return np.zeros(10_000)\n"
    header, outputs = execute(code, ("f", (), {}), max_return_bytes=1000)
    assert header["status"] == "output_limit"
    assert header["error"]["type"] == "ReturnTooLarge"
    assert outputs == []

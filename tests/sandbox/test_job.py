import json

import numpy as np
import pytest

from sandbox.codec import CodecError, encode_value
from sandbox.job import Call, ErrorInfo, Job, JobResult


def test_call_entry_must_be_an_identifier():
    with pytest.raises(ValueError, match="Python identifier"):
        Call("not a name")


def test_job_rejects_non_string_code_and_empty_filename():
    with pytest.raises(ValueError, match="str of Python source"):
        Job(code=b"x = 1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="filename"):
        Job(code="x = 1", filename="")


def test_job_wire_header_carries_calls_limits_and_blobs():
    header, blobs = Job("x = 1", [Call("f", (np.zeros(2),), {"k": 1})]).to_wire()
    assert header["kind"] == "job" and header["filename"] == "submission.py"
    assert header["calls"][0]["args"] == [{"ndarray": 0}]
    assert header["calls"][0]["kwargs"] == {"dict": {"k": 1}}
    assert header["limits"]["memory_mb"] == 512
    assert len(blobs) == 1


def test_unsendable_argument_is_reported_before_sending():
    with pytest.raises(CodecError, match="f args"):
        Job("x = 1", [Call("f", (object(),))]).to_wire()


def test_result_from_wire_decodes_and_serialises():
    blobs: list[bytes] = []
    outputs = encode_value([np.array([1 + 2j]), np.eye(1), 3], blobs)
    header = {
        "status": "error",
        "outputs": outputs,
        "error": {"type": "ValueError", "message": "m", "traceback": "t", "line": 4},
        "signal": None,
        "stdout": "out",
        "stderr": "",
        "duration_ms": 1.5,
    }
    result = JobResult.from_wire(header, blobs)
    assert result.error == ErrorInfo("ValueError", "m", "t", 4, None)
    assert result.outputs[2] == 3 and not result.ok
    encoded = json.loads(json.dumps(result.as_dict()))
    assert encoded["outputs"][0]["data"] == {"real": [1.0], "imag": [2.0]}
    assert encoded["outputs"][1] == {"dtype": "float64", "shape": [1, 1], "data": [[1.0]]}


def test_result_from_wire_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown status"):
        JobResult.from_wire({"status": "great"}, [])

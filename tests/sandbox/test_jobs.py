"""End-to-end behaviour of ordinary jobs through a real server."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from sandbox import Call, Job, Limits
from tests.sandbox.conftest import assert_healthy, run

LAYER_NORM = """
import torch

def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta
"""


def test_layer_norm_with_tensor_inputs(sandbox_client):
    x = torch.randn(4, 6, dtype=torch.float64)
    gamma, beta = torch.rand(6, dtype=torch.float64), torch.rand(6, dtype=torch.float64)
    result = run(sandbox_client, LAYER_NORM, Call("layer_norm", (x, gamma, beta)))
    assert result.status == "ok", result
    expected = torch.nn.functional.layer_norm(x, (6,), gamma, beta).numpy()
    assert type(result.outputs[0]) is np.ndarray
    np.testing.assert_allclose(result.outputs[0], expected, rtol=1e-12)


def test_health_job_and_mixed_outputs(sandbox_server, sandbox_client):
    assert_healthy(sandbox_server)
    code = "import numpy as np\ndef f(n):\n"
    code += "    return {'n': n, 'xs': [np.int64(n), 1.5, None, 'a', True]}\n"
    result = run(sandbox_client, code, Call("f", (3,)))
    assert result.status == "ok"
    value = result.outputs[0]
    assert value["n"] == 3 and value["xs"][1:] == [1.5, None, "a", True]
    assert value["xs"][0].dtype == np.int64 and value["xs"][0] == 3


def test_stdout_and_stderr_are_captured(sandbox_client):
    code = "import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n"
    code += "def f():\n    print('call')\n"
    result = run(sandbox_client, code, Call("f"))
    assert result.status == "ok"
    assert result.stdout == "to out\ncall\n"
    assert result.stderr == "to err\n"


def test_errors_carry_filename_and_line(sandbox_client):
    job = Job(
        code="def f(x):\n    y = x + 1\n    return y / 0\n",
        calls=[Call("f", (1,))],
        filename="my_answer.py",
    )
    result = sandbox_client.run(job)
    assert result.status == "error"
    assert result.error.type == "ZeroDivisionError"
    assert result.error.line == 3
    assert 'File "my_answer.py", line 3, in f' in result.error.traceback


def test_job_runs_isolated_as_unprivileged_user(sandbox_client):
    code = "import os, socket\ndef f():\n"
    code += "    return [os.getuid(), os.getcwd(), socket.gethostname()]\n"
    result = run(sandbox_client, code, Call("f"))
    uid, cwd, hostname = result.outputs[0]
    assert uid != 0 and cwd == "/job" and hostname == "sandbox"


def test_environment_is_scrubbed(sandbox_client, monkeypatch):
    code = "import os\ndef f():\n    return dict(os.environ)\n"
    result = run(sandbox_client, code, Call("f"))
    environment = result.outputs[0]
    assert "SECRET_KEY" not in environment and "DATABASE_URL" not in environment
    assert environment["HOME"] == "/job"


def test_concurrent_jobs_from_threads(sandbox_client):
    code = "import time\ndef f(n):\n    time.sleep(0.05)\n    return n * n\n"
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: run(sandbox_client, code, Call("f", (n,))), range(12)))
    assert [result.outputs[0] for result in results] == [n * n for n in range(12)]


def test_result_as_dict_is_json(sandbox_client):
    result = run(sandbox_client, "import numpy as np\ndef f():\n    return np.eye(2)\n", Call("f"))
    encoded = json.loads(json.dumps(result.as_dict()))
    assert encoded["outputs"][0] == {"dtype": "float64", "shape": [2, 2], "data": [[1, 0], [0, 1]]}


def test_cli_run_prints_result_repr(sandbox_client, tmp_path):
    script = tmp_path / "job.py"
    script.write_text("print('hi')\nresult = sum(range(5))\n")
    environment = {**os.environ, "SANDBOX_SOCKET": sandbox_client.socket_path}
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "run", str(script), "--timeout", "5"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0
    assert report["status"] == "ok" and report["result"] == "10" and report["stdout"] == "hi\n"


def test_limits_reach_the_job(sandbox_client):
    code = "import resource\ndef f():\n    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]\n"
    result = sandbox_client.run(Job(code, [Call("f")], Limits(max_open_files=40)))
    assert result.outputs == [40]


OVERFLOWING = """
import sys

def chatty(n):
    for i in range(n):
        print("x" * 999)
        print("warning " * 124, file=sys.stderr)
    return sum(range(n))
"""


def test_output_over_the_cap_is_dropped_and_the_job_keeps_running(sandbox_client):
    limits = Limits(max_output_bytes=10_000)
    result = sandbox_client.run(Job(OVERFLOWING, [Call("chatty", (2000,))], limits))
    assert result.status == "ok", result
    assert result.outputs == [sum(range(2000))]
    for text, name in ((result.stdout, "stdout"), (result.stderr, "stderr")):
        body, note = text.rsplit("\n[sandbox: ", 1)
        assert note == f"{name} truncated at 10000 bytes]"
        assert len(body.encode()) == 10_000
    assert result.stdout.startswith("x" * 999 + "\n")


def test_output_exactly_at_the_cap_is_not_marked_truncated(sandbox_client):
    code = "def f():\n    print('y' * 99)\n"
    result = sandbox_client.run(Job(code, [Call("f")], Limits(max_output_bytes=100)))
    assert result.status == "ok" and result.stdout == "y" * 99 + "\n"

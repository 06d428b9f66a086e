"""Harness code sent compiled: children load the caller's bytecode, or compile the source."""

import marshal

from sandbox import Call, Job
from sandbox.compiled import MAGIC, compiled_blob, load_code
from tests.sandbox.conftest import run

HARNESS = "import sys\n\ndef where():\n    return sys._getframe().f_code.co_filename\n"


def test_only_precompiled_jobs_carry_bytecode():
    plain_header, plain_blobs = Job(HARNESS, [Call("where")]).to_wire()
    assert "compiled" not in plain_header and plain_blobs == []
    header, blobs = Job(HARNESS, [Call("where")], filename="harness.py", precompiled=True).to_wire()
    assert header["compiled"] == {"blob": 0, "magic": MAGIC}
    assert marshal.loads(blobs[0]).co_filename == "harness.py"
    assert header["code"] == HARNESS  # the source travels too (tracebacks, fallback)


def test_code_that_does_not_compile_is_left_to_the_child():
    header, blobs = Job("def broken(:\n", precompiled=True).to_wire()
    assert "compiled" not in header and blobs == []


def test_compiled_form_is_made_once_per_code_and_filename():
    compiled_blob.cache_clear()
    for _ in range(3):
        Job(HARNESS, filename="a.py", precompiled=True).to_wire()
    Job(HARNESS, filename="b.py", precompiled=True).to_wire()
    info = compiled_blob.cache_info()
    assert (info.misses, info.hits) == (2, 2)


def test_bytecode_of_another_interpreter_or_file_is_not_loaded():
    blob = compiled_blob("value = 'compiled'\n", "harness.py")
    source = "value = 'source'\n"
    namespace: dict = {}
    exec(load_code(source, "harness.py", blob, MAGIC), namespace)
    assert namespace["value"] == "compiled"
    for magic, filename in (("00000000", "harness.py"), (MAGIC, "other.py")):
        namespace = {}
        exec(load_code(source, filename, blob, magic), namespace)
        assert namespace["value"] == "source"
    namespace = {}
    exec(load_code(source, "harness.py", b"not marshal", MAGIC), namespace)
    assert namespace["value"] == "source"


def test_a_precompiled_job_runs_in_the_sandbox_with_its_tracebacks(sandbox_client):
    code = HARNESS + "\ndef fails():\n    raise ValueError('from the harness')\n"
    job = Job(code, [Call("where")], filename="harness.py", precompiled=True)
    result = sandbox_client.run(job)
    assert result.status == "ok" and result.outputs == ["harness.py"]
    failed = sandbox_client.run(Job(code, [Call("fails")], filename="harness.py", precompiled=True))
    assert failed.status == "error" and failed.error.line == 7
    assert "raise ValueError('from the harness')" in failed.error.traceback
    assert run(sandbox_client, "def f():\n    return 2\n", Call("f")).outputs == [2]

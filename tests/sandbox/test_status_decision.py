"""How the supervisor names what ended a job, decided from what it observed (no server needed)."""

import signal

import pytest

from sandbox.limits import Limits
from sandbox.status import JobRun, decide, output_text


def ended_by(signal_number: int, cpu_time_s: float, cpu_limit_s: float = 1.0) -> JobRun:
    """A job that started, sent no result and died of ``signal_number`` (a raw wait status)."""
    run = JobRun(limits=Limits(cpu_time_s=cpu_limit_s), call_count=1)
    run.frames.append(({"kind": "started"}, []))
    run.wait_status = signal_number
    run.cpu_time_s = cpu_time_s
    return run


@pytest.mark.parametrize("measured_cpu_s", [0.0, 0.62, 0.97, 1.0, 1.3])
def test_sigxcpu_is_a_cpu_timeout_whatever_cpu_time_was_measured(measured_cpu_s):
    # The kernel samples CPU time in ticks; the exact time wait4 reports can trail it.
    status, _, _, error, number = decide(ended_by(signal.SIGXCPU, measured_cpu_s), False)
    assert status == "timeout" and number == signal.SIGXCPU
    assert error.type == "TimeLimitExceeded" and "CPU time limit of 1 s" in error.message


@pytest.mark.parametrize("measured_cpu_s", [1.0, 1.6, 2.0, 2.4])
def test_sigkill_at_the_hard_cpu_limit_is_a_cpu_timeout(measured_cpu_s):
    # A job that ignores or handles SIGXCPU is killed one CPU second later (the hard limit).
    status, _, _, error, number = decide(ended_by(signal.SIGKILL, measured_cpu_s), False)
    assert status == "timeout" and number == signal.SIGKILL
    assert error.type == "TimeLimitExceeded"


def test_sigkill_well_before_the_cpu_limit_is_killed():
    status, _, _, error, number = decide(ended_by(signal.SIGKILL, 0.2, cpu_limit_s=3.0), False)
    assert status == "killed" and number == signal.SIGKILL
    assert "signal 9 (SIGKILL)" in error.message


def test_a_segfault_is_killed_even_after_much_cpu_time():
    status, _, _, _, number = decide(ended_by(signal.SIGSEGV, 5.0), False)
    assert status == "killed" and number == signal.SIGSEGV


def test_the_memory_cgroup_takes_precedence_over_the_signal():
    status, _, _, error, _ = decide(ended_by(signal.SIGKILL, 2.0), True)
    assert status == "memory_limit" and error.type == "MemoryLimitExceeded"


def test_a_job_that_never_started_is_the_sandboxs_fault():
    run = ended_by(signal.SIGKILL, 0.0)
    run.frames.clear()
    status, _, _, error, _ = decide(run, False)
    assert status == "sandbox_error" and error.type == "SandboxError"


def finished_with(status: str) -> JobRun:
    """A job that started and sent a valid result frame with ``status``."""
    run = JobRun(limits=Limits(max_output_bytes=10), call_count=1)
    run.frames += [
        ({"kind": "started"}, []),
        ({"kind": "result", "status": status, "outputs": [1]}, []),
    ]
    run.wait_status = 0
    return run


def test_output_over_the_cap_never_decides_the_status():
    run = finished_with("ok")
    run.stdout.extend(b"x" * 10)
    run.stdout_truncated = run.stderr_truncated = True
    status, outputs, _, error, _ = decide(run, False)
    assert status == "ok" and outputs == [1] and error is None
    assert output_text(run.stdout, True, "stdout", run.limits).endswith(
        "\n[sandbox: stdout truncated at 10 bytes]"
    )


def test_a_job_that_printed_past_the_cap_until_its_deadline_is_a_timeout():
    run = ended_by(signal.SIGKILL, 0.5)
    run.stdout_truncated = True
    run.stopped_for, run.stop_message = "timeout", "the job ran longer than its 1.0 s time limit"
    status, _, _, error, _ = decide(run, False)
    assert status == "timeout" and error.type == "TimeLimitExceeded"


def test_only_an_oversized_return_value_is_an_output_limit():
    run = finished_with("ok")
    run.stopped_for, run.stop_message = "return_size", "frame exceeds 17825792 bytes"
    status, outputs, _, error, _ = decide(run, False)
    assert status == "output_limit" and outputs == []
    assert error.type == "OutputLimitExceeded" and "17825792" in error.message

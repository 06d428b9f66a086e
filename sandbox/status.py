"""What ended a job: the status, outputs and error decided from what the supervisor observed."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Any

from sandbox.codec import CodecError, decode_value
from sandbox.job import ErrorInfo
from sandbox.limits import Limits

CHILD_RESULT_STATUSES = frozenset({"ok", "error", "bad_return", "memory_limit", "output_limit"})


@dataclass
class JobRun:
    """Everything observed while one job ran.

    ``stopped_for`` is "timeout" (the wall-clock deadline) or "return_size" (the result frame
    was over the limit); ``wait_status`` and ``cpu_time_s`` come from the process's reaper.
    """

    limits: Limits
    call_count: int
    frames: list[tuple[dict[str, Any], list[bytes]]] = field(default_factory=list)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    stopped_for: str | None = None
    stop_message: str = ""
    wait_status: int | None = None
    cpu_time_s: float = 0.0
    duration_ms: float = 0.0


def has_result(run: JobRun) -> bool:
    """The job process sent its result frame."""
    return any(frame[0].get("kind") == "result" for frame in run.frames)


def output_text(data: bytearray, truncated: bool, name: str, limits: Limits) -> str:
    """Captured output as text, with the truncation note when it was cut at the cap."""
    text = data.decode("utf-8", errors="replace")
    if truncated:
        text += f"\n[sandbox: {name} truncated at {limits.max_output_bytes} bytes]"
    return text


def _error(kind: str, message: str) -> ErrorInfo:
    return ErrorInfo(type=kind, message=message)


def _child_result(
    run: JobRun,
) -> tuple[str, list[Any], list[bytes], ErrorInfo | None] | None:
    """The child's own result frame, validated, if it sent one after starting the job."""
    kinds = [frame[0].get("kind") for frame in run.frames]
    if "started" not in kinds:
        return None
    for header, blobs in run.frames[kinds.index("started") + 1 :]:
        if header.get("kind") != "result":
            continue
        status = header.get("status")
        outputs = header.get("outputs")
        error = header.get("error")
        error_info = ErrorInfo.from_dict(error) if type(error) is dict else None
        if status not in CHILD_RESULT_STATUSES or type(outputs) is not list:
            return "bad_return", [], [], _error("BadReturnValue", "malformed result from the job")
        if len(outputs) > run.call_count:
            return "bad_return", [], [], _error("BadReturnValue", "more outputs than calls")
        try:
            decode_value(outputs, blobs, "outputs")
        except (CodecError, RecursionError) as exc:
            return "bad_return", [], [], _error("BadReturnValue", str(exc))
        return status, outputs, blobs, error_info
    return None


def _hit_cpu_limit(signal_number: int | None, run: JobRun) -> bool:
    """The job died of its RLIMIT_CPU: SIGXCPU at the soft limit, or SIGKILL at the hard one.

    Only the kernel (or the job itself) can send SIGXCPU to a slot's uid, so that signal alone
    decides. The hard limit comes one CPU second after the soft one, so a SIGKILL after the job
    had used its soft limit is the hard limit. The kernel counts CPU time in scheduler ticks
    while ``wait4`` reports the exact run time, which trails the tick count on a busy machine;
    comparing with the soft limit leaves that whole second of slack.
    """
    if signal_number == signal.SIGXCPU:
        return True
    return signal_number == signal.SIGKILL and run.cpu_time_s >= run.limits.cpu_time_rlimit_s


def decide(
    run: JobRun, memory_killed: bool
) -> tuple[str, list[Any], list[bytes], ErrorInfo | None, int | None]:
    """Turn what was observed into (status, outputs, blobs, error, signal)."""
    kinds = [frame[0].get("kind") for frame in run.frames]
    signal_number = None
    if run.wait_status is not None and os.WIFSIGNALED(run.wait_status):
        signal_number = os.WTERMSIG(run.wait_status)
    if "started" not in kinds:
        setup = [frame[0] for frame in run.frames if frame[0].get("kind") == "setup_failed"]
        message = str(setup[0].get("message")) if setup else run.stop_message
        if not message:
            message = "the job process ended before it could start"
        return "sandbox_error", [], [], _error("SandboxError", message), signal_number
    if run.stopped_for == "timeout":
        return "timeout", [], [], _error("TimeLimitExceeded", run.stop_message), signal.SIGKILL
    if run.stopped_for == "return_size":
        return "output_limit", [], [], _error("OutputLimitExceeded", run.stop_message), None
    result = _child_result(run)
    if result is not None:
        status, outputs, blobs, error = result
        return status, outputs, blobs, error, None
    if memory_killed:
        message = f"the job used more than its memory limit of {run.limits.memory_mb} MB"
        return "memory_limit", [], [], _error("MemoryLimitExceeded", message), signal_number
    if _hit_cpu_limit(signal_number, run):
        message = f"CPU time limit of {run.limits.cpu_time_rlimit_s} s exceeded"
        return "timeout", [], [], _error("TimeLimitExceeded", message), signal_number
    if signal_number is not None:
        name = signal.Signals(signal_number).name
        message = f"the job was killed by signal {signal_number} ({name})"
        return "killed", [], [], _error("Killed", message), signal_number
    code = os.WEXITSTATUS(run.wait_status) if run.wait_status is not None else None
    message = (
        f"the code ended the process (exit status {code}) before returning its results; "
        "do not call os._exit or close the sandbox's channel"
    )
    return "error", [], [], _error("ProcessExit", message), None

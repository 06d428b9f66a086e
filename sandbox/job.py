"""What a caller sends (Job, Call) and what it gets back (JobResult, ErrorInfo)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from sandbox.codec import decode_value, encode_value
from sandbox.compiled import MAGIC, compiled_blob
from sandbox.limits import Limits
from sandbox.runtimes import DEFAULT_RUNTIME, check_runtime

Status = Literal[
    "ok",
    "error",
    "timeout",
    "memory_limit",
    "output_limit",
    "killed",
    "bad_return",
    "sandbox_error",
]
STATUSES: frozenset[str] = frozenset(Status.__args__)  # type: ignore[attr-defined]

_EMPTY_KWARGS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Call:
    """Call the top-level name ``entry`` defined by the job's code with these arguments."""

    entry: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=lambda: _EMPTY_KWARGS)

    def __post_init__(self) -> None:
        if type(self.entry) is not str or not self.entry.isidentifier():
            raise ValueError(f"Call.entry must be a Python identifier, got {self.entry!r}")


@dataclass(frozen=True)
class Job:
    """Source code run as a module, then the calls performed in order, under ``limits``.

    ``runtime`` is "torch" (numpy and torch importable) or "numpy" (a process that never
    imported torch, where torch, functorch, torchgen, sympy and mpmath cannot be loaded at all).

    ``precompiled`` is for code the caller wrote itself (a harness, never submitted code): it is
    compiled once in the caller's process and sent as bytecode beside the source, so children
    skip compiling it (see `sandbox.compiled`).
    """

    code: str
    calls: Sequence[Call] = ()
    limits: Limits = field(default_factory=Limits)
    filename: str = "submission.py"
    runtime: str = DEFAULT_RUNTIME
    precompiled: bool = False

    def __post_init__(self) -> None:
        if type(self.code) is not str:
            raise ValueError("Job.code must be a str of Python source")
        if not self.filename or "\x00" in self.filename:
            raise ValueError("Job.filename must be a non-empty name such as 'submission.py'")
        try:
            check_runtime(self.runtime)
        except ValueError as exc:
            raise ValueError(f"Job.runtime: {exc}") from None

    def to_wire(self) -> tuple[dict[str, Any], list[bytes]]:
        """Header and npy blobs for the request frame; raises CodecError for unsendable args."""
        blobs: list[bytes] = []
        calls = [
            {
                "entry": call.entry,
                "args": encode_value(list(call.args), blobs, f"{call.entry} args"),
                "kwargs": encode_value(dict(call.kwargs), blobs, f"{call.entry} kwargs"),
            }
            for call in self.calls
        ]
        header = {
            "kind": "job",
            "code": self.code,
            **self._compiled_fields(blobs),
            "filename": self.filename,
            "calls": calls,
            "limits": self.limits.as_dict(),
            "runtime": self.runtime,
        }
        return header, blobs

    def _compiled_fields(self, blobs: list[bytes]) -> dict[str, Any]:
        """The header fields that point the child at the compiled code (appended to `blobs`),
        or none when the job is not `precompiled` or its code does not compile (the child then
        compiles it, and reports the error)."""
        compiled = compiled_blob(self.code, self.filename) if self.precompiled else None
        if compiled is None:
            return {}
        blobs.append(compiled)
        return {"compiled": {"blob": len(blobs) - 1, "magic": MAGIC}}


@dataclass(frozen=True)
class ErrorInfo:
    """Why a job did not finish normally, in terms a student can act on."""

    type: str
    message: str
    traceback: str = ""
    line: int | None = None
    call_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ErrorInfo:
        return cls(
            type=str(values.get("type", "")),
            message=str(values.get("message", "")),
            traceback=str(values.get("traceback", "")),
            line=values["line"] if type(values.get("line")) is int else None,
            call_index=values["call_index"] if type(values.get("call_index")) is int else None,
        )


def _jsonable(value: Any) -> Any:
    if type(value) is np.ndarray:
        if value.dtype.kind == "c":
            data: Any = {"real": value.real.tolist(), "imag": value.imag.tolist()}
        else:
            data = value.tolist()
        return {"dtype": str(value.dtype), "shape": list(value.shape), "data": data}
    if type(value) is list:
        return [_jsonable(item) for item in value]
    if type(value) is dict:
        return {key: _jsonable(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class JobResult:
    """Outcome of one job; ``outputs`` holds one decoded value per completed call."""

    status: Status
    outputs: list[Any] = field(default_factory=list)
    error: ErrorInfo | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict; arrays become {dtype, shape, data} (complex data as {real, imag})."""
        return {
            "status": self.status,
            "outputs": _jsonable(self.outputs),
            "error": None if self.error is None else self.error.as_dict(),
            "signal": self.signal,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "duration_ms": self.duration_ms,
        }

    @classmethod
    def from_wire(cls, header: Mapping[str, Any], blobs: list[bytes]) -> JobResult:
        """Decode a server response strictly (npy without pickle, exact JSON types)."""
        status = header.get("status")
        if status not in STATUSES:
            raise ValueError(f"sandbox server sent an unknown status {status!r}")
        outputs = decode_value(header.get("outputs", []), blobs, "outputs")
        if type(outputs) is not list:
            raise ValueError("sandbox server sent outputs that are not a list")
        error = header.get("error")
        signal = header.get("signal")
        return cls(
            status=status,
            outputs=outputs,
            error=ErrorInfo.from_dict(error) if type(error) is dict else None,
            signal=signal if type(signal) is int else None,
            stdout=str(header.get("stdout", "")),
            stderr=str(header.get("stderr", "")),
            duration_ms=float(header.get("duration_ms", 0.0)),
        )

"""Inside the job child: run the job's code as a module and perform its calls."""

from __future__ import annotations

import functools
import linecache
import re
import sys
import traceback
import types
from typing import Any

from sandbox.codec import CodecError, decode_value, encode_value
from sandbox.compiled import load_code

MAX_MESSAGE_CHARS = 2000
MAX_TRACEBACK_FRAMES = 20


def _safe_text(produce: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Call ``produce`` (which may be rigged by the job) and return a capped string."""
    try:
        text = produce()
        text = text if type(text) is str else "<message is not a string>"
    except BaseException:  # noqa: BLE001 - job objects may raise anything from __str__
        text = "<message could not be converted to text>"
    return text if len(text) <= limit else text[:limit] + " ...[truncated]"


def is_job_frame(frame_filename: str, job_filename: str) -> bool:
    """Job code is the job's file or source it compiled itself (relative names such as a
    harness's "submission.py"); installed libraries have absolute paths, frozen ones <...>."""
    if frame_filename == job_filename:
        return True
    return not frame_filename.startswith(("/", "<"))


def error_info(exc: BaseException, filename: str, call_index: int | None) -> dict[str, Any]:
    """ErrorInfo fields for an exception, with the traceback cut to the job's own frames."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if is_job_frame(frame.filename, filename)
    ][-MAX_TRACEBACK_FRAMES:]
    line = frames[-1].lineno if frames else None
    lines = [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
        + (f"    {frame.line}\n" if frame.line else "")
        for frame in frames
    ]
    exc_type = type(exc).__name__
    if isinstance(exc, SyntaxError) and is_job_frame(exc.filename or "", filename):
        line = exc.lineno
        detail = _safe_text(lambda: "".join(traceback.format_exception_only(exc)))
        text = detail
    else:
        detail = _safe_text(lambda: str(exc))
        text = ("Traceback (most recent call last):\n" + "".join(lines) if lines else "") + (
            f"{exc_type}: {detail}" if detail else exc_type
        )
    return {
        "type": exc_type,
        "message": detail,
        "traceback": text,
        "line": line,
        "call_index": call_index,
    }


def _result(status: str, outputs: list[Any], error: dict[str, Any] | None) -> dict[str, Any]:
    return {"kind": "result", "status": status, "outputs": outputs, "error": error}


def _failure(
    exc: BaseException, filename: str, call_index: int | None, outputs: list[Any]
) -> dict[str, Any]:
    info = error_info(exc, filename, call_index)
    if isinstance(exc, MemoryError):
        return _result("memory_limit", outputs, info)
    if isinstance(exc, SystemExit):
        info["type"] = "SystemExit"
        info["message"] = (
            f"the code called sys.exit({_safe_text(lambda: repr(exc.code))}); "
            "return a value from the function instead of exiting"
        )
    return _result("error", outputs, info)


def _module_name(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].removesuffix(".py")
    name = re.sub(r"\W", "_", stem) or "submission"
    return name if not name[0].isdigit() else "_" + name


def _make_tensor(array: Any) -> Any:
    torch = sys.modules.get("torch")
    return array if torch is None else torch.from_numpy(array)


def _code_object(request: dict[str, Any], blobs: list[bytes]) -> types.CodeType:
    """The job's code compiled: the client's compiled form when this interpreter can load it,
    else the source compiled here (see `sandbox.compiled`)."""
    compiled = request.get("compiled")
    blob = None
    magic = None
    if type(compiled) is dict and type(compiled.get("blob")) is int:
        index = compiled["blob"]
        blob = blobs[index] if 0 <= index < len(blobs) else None
        magic = compiled.get("magic")
    return load_code(request["code"], request["filename"], blob, magic)


def run_job(
    request: dict[str, Any], blobs: list[bytes], max_return_bytes: int
) -> tuple[dict[str, Any], list[bytes]]:
    """Execute the job; return the result frame (header, blobs) to send to the supervisor."""
    code = request["code"]
    filename = request["filename"]
    module = types.ModuleType(_module_name(filename))
    module.__file__ = filename
    sys.modules[module.__name__] = module
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    outputs: list[Any] = []
    out_blobs: list[bytes] = []
    try:
        exec(_code_object(request, blobs), module.__dict__)
    except BaseException as exc:  # noqa: BLE001 - everything the job raises is reported
        return _failure(exc, filename, None, outputs), out_blobs
    for index, call in enumerate(request["calls"]):
        entry = call["entry"]
        function = module.__dict__.get(entry)
        if function is None or not callable(function):
            problem = "defines no top-level name" if function is None else "has a non-callable"
            error = {
                "type": "NameError",
                "message": f"the code {problem} '{entry}'; define a function or class "
                f"called {entry} at the top level of {filename}",
                "traceback": "",
                "line": None,
                "call_index": index,
            }
            return _result("error", outputs, error), out_blobs
        args = decode_value(call["args"], blobs, "args", make_tensor=_make_tensor)
        kwargs = decode_value(call["kwargs"], blobs, "kwargs", make_tensor=_make_tensor)
        try:
            value = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            return _failure(exc, filename, index, outputs), out_blobs
        blob_count = len(out_blobs)
        try:
            outputs.append(encode_value(value, out_blobs, f"return value of {entry}"))
        except CodecError as exc:
            del out_blobs[blob_count:]
            return _result("bad_return", outputs, _bad_return(str(exc), index)), out_blobs
        except BaseException as exc:  # noqa: BLE001 - rigged objects may raise while encoded
            del out_blobs[blob_count:]
            detail = _safe_text(functools.partial(repr, exc))
            message = f"return value of {entry} could not be read: {detail}"
            return _result("bad_return", outputs, _bad_return(message, index)), out_blobs
        if sum(len(blob) for blob in out_blobs) > max_return_bytes:
            error = _bad_return(
                f"returned data exceeds the limit of {max_return_bytes} bytes", index
            )
            error["type"] = "ReturnTooLarge"
            del out_blobs[blob_count:]
            return _result("output_limit", outputs[:-1], error), out_blobs
    return _result("ok", outputs, None), out_blobs


def _bad_return(message: str, call_index: int) -> dict[str, Any]:
    return {
        "type": "BadReturnValue",
        "message": message,
        "traceback": "",
        "line": None,
        "call_index": call_index,
    }

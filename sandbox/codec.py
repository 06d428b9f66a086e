"""Plain-data values on the wire: a JSON tree plus npy blobs, never pickle.

Encoding checks exact types. Lists and tuples both travel as JSON arrays (decoded as lists);
dicts need string keys and travel as ``{"dict": {...}}``; numeric ndarrays, numpy scalars
and torch tensors travel as npy blobs referenced by ``{"ndarray": i}`` or ``{"tensor": i}``.
Decoding always yields numpy arrays unless the decoder is told to rebuild tensors.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

NUMERIC_DTYPE_KINDS = frozenset("biufc")
MAX_DEPTH = 64
# np.load reads an npy header with ast.literal_eval, and CPython 3.11 keeps the state of its
# AST constructor per interpreter, not per thread: two threads decoding at once (the client's
# jobs run side by side) can interleave there when a garbage collection runs Python code, and
# one of them then fails with "SystemError: AST constructor recursion depth mismatch". Headers
# are read one at a time.
_NPY_LOAD_LOCK = threading.Lock()

JSONValue = Any


class CodecError(ValueError):
    """A value cannot be sent or received as plain data; the message says which and why."""


def _tensor_types() -> tuple[type, ...]:
    torch = sys.modules.get("torch")
    if torch is None:
        return ()
    return (torch.Tensor, torch.nn.Parameter)


def _tensor_to_ndarray(value: Any, path: str) -> np.ndarray:
    torch = sys.modules["torch"]
    if value.layout is not torch.strided or value.is_quantized or value.device.type == "meta":
        raise CodecError(f"{path}: only dense tensors can be returned, got layout {value.layout}")
    tensor = value.detach().cpu().resolve_conj().resolve_neg()
    if tensor.dtype in (torch.bfloat16,):
        tensor = tensor.to(torch.float32)
    try:
        return tensor.numpy().copy()
    except (TypeError, RuntimeError) as exc:
        raise CodecError(f"{path}: tensor of dtype {tensor.dtype} cannot be sent: {exc}") from None


def _check_array(array: np.ndarray, path: str) -> None:
    if array.dtype.fields is not None or array.dtype.kind not in NUMERIC_DTYPE_KINDS:
        raise CodecError(
            f"{path}: arrays must have a numeric or bool dtype, got {array.dtype}; "
            "convert to a number array first"
        )


def _array_to_npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def encode_value(value: Any, blobs: list[bytes], path: str = "value", depth: int = 0) -> JSONValue:
    """Turn ``value`` into a JSON tree, appending array payloads to ``blobs``."""
    if depth > MAX_DEPTH:
        raise CodecError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in (list, tuple):
        return [
            encode_value(item, blobs, f"{path}[{index}]", depth + 1)
            for index, item in enumerate(value)
        ]
    if kind is dict:
        encoded: dict[str, JSONValue] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise CodecError(f"{path}: dict keys must be str, got {type(key).__name__}")
            encoded[key] = encode_value(item, blobs, f"{path}[{key!r}]", depth + 1)
        return {"dict": encoded}
    if kind is np.ndarray:
        _check_array(value, path)
        blobs.append(_array_to_npy(value))
        return {"ndarray": len(blobs) - 1}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        array = np.asarray(value)
        _check_array(array, path)
        blobs.append(_array_to_npy(array))
        return {"ndarray": len(blobs) - 1}
    if kind in _tensor_types():
        blobs.append(_array_to_npy(_tensor_to_ndarray(value, path)))
        return {"tensor": len(blobs) - 1}
    raise CodecError(
        f"{path}: values of type {kind.__module__}.{kind.__qualname__} cannot be sent; "
        "use numbers, bools, strings, None, lists/dicts of those, numpy arrays or tensors"
    )


def npy_to_array(blob: bytes, path: str) -> np.ndarray:
    """Decode one npy payload without pickle, accepting only numeric/bool arrays."""
    try:
        with _NPY_LOAD_LOCK:
            array = np.load(io.BytesIO(blob), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise CodecError(f"{path}: not a valid npy array ({exc})") from None
    if type(array) is not np.ndarray:
        raise CodecError(f"{path}: npy payload did not decode to an array")
    _check_array(array, path)
    return array


def decode_value(
    tree: JSONValue,
    blobs: list[bytes],
    path: str = "value",
    depth: int = 0,
    make_tensor: Callable[[np.ndarray], Any] | None = None,
) -> Any:
    """Rebuild a value from a JSON tree and its blobs, rejecting anything unexpected."""
    if depth > MAX_DEPTH:
        raise CodecError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    if kind is list:
        return [
            decode_value(item, blobs, f"{path}[{index}]", depth + 1, make_tensor)
            for index, item in enumerate(tree)
        ]
    if kind is not dict or len(tree) != 1:
        raise CodecError(f"{path}: malformed value on the wire")
    ((tag, payload),) = tree.items()
    if tag == "dict" and type(payload) is dict:
        return {
            key: decode_value(item, blobs, f"{path}[{key!r}]", depth + 1, make_tensor)
            for key, item in payload.items()
        }
    if tag in ("ndarray", "tensor") and type(payload) is int and 0 <= payload < len(blobs):
        array = npy_to_array(blobs[payload], path)
        if tag == "tensor" and make_tensor is not None:
            return make_tensor(array)
        return array
    raise CodecError(f"{path}: malformed value on the wire")

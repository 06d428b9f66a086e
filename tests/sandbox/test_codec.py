import io

import numpy as np
import pytest
import torch

from sandbox.codec import CodecError, decode_value, encode_value


def round_trip(value, make_tensor=None):
    blobs: list[bytes] = []
    tree = encode_value(value, blobs)
    return decode_value(tree, blobs, make_tensor=make_tensor)


def test_plain_values_round_trip():
    value = {"a": [1, 2.5, True, None, "x"], "b": {"c": []}}
    assert round_trip(value) == value


def test_tuples_become_lists():
    assert round_trip((1, (2, 3))) == [1, [2, 3]]


def test_arrays_keep_dtype_shape_and_values():
    array = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
    decoded = round_trip(array)
    assert type(decoded) is np.ndarray
    assert decoded.dtype == np.float32
    np.testing.assert_array_equal(decoded, array)


def test_numpy_scalars_become_zero_dim_arrays():
    decoded = round_trip(np.float64(1.25))
    assert type(decoded) is np.ndarray and decoded.shape == () and decoded == 1.25


def test_tensors_decode_as_arrays_or_tensors_on_request():
    tensor = torch.linspace(0, 1, 5, dtype=torch.float64, requires_grad=True) * 2
    decoded = round_trip(tensor)
    assert type(decoded) is np.ndarray
    np.testing.assert_allclose(decoded, tensor.detach().numpy())
    rebuilt = round_trip(tensor, make_tensor=torch.from_numpy)
    assert type(rebuilt) is torch.Tensor and rebuilt.dtype == torch.float64


def test_bfloat16_tensors_are_widened_to_float32():
    decoded = round_trip(torch.ones(2, dtype=torch.bfloat16))
    assert decoded.dtype == np.float32


class RiggedEq:
    def __eq__(self, other):
        return True


class FloatSubclass(float):
    pass


class ArraySubclass(np.ndarray):
    pass


class TensorSubclass(torch.Tensor):
    pass


class HasArray:
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


@pytest.mark.parametrize(
    "value",
    [
        RiggedEq(),
        FloatSubclass(1.0),
        np.zeros(3).view(ArraySubclass),
        torch.zeros(3).as_subclass(TensorSubclass),
        HasArray(),
        np.array([object()], dtype=object),
        np.array(["text"]),
        np.zeros(2, dtype=[("a", "f8")]),
        {1: "non-string key"},
        {1, 2},
        b"bytes",
    ],
    ids=lambda value: type(value).__name__,
)
def test_unsendable_values_are_rejected(value):
    with pytest.raises(CodecError):
        encode_value(value, [])


def test_rejection_names_the_path():
    with pytest.raises(CodecError, match=r"result\[0\]\['k'\]"):
        encode_value([{"k": RiggedEq()}], [], "result")


def test_decoding_never_unpickles():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(CodecError, match="not a valid npy"):
        decode_value({"ndarray": 0}, [buffer.getvalue()])


@pytest.mark.parametrize(
    "tree",
    [
        {"ndarray": 1},
        {"ndarray": "0"},
        {"unknown": 0},
        {"dict": {}, "extra": 1},
        {"dict": [1]},
    ],
)
def test_malformed_trees_are_rejected(tree):
    blobs: list[bytes] = []
    encode_value(np.zeros(1), blobs)
    with pytest.raises(CodecError, match="malformed"):
        decode_value(tree, blobs)


def test_excessive_nesting_is_rejected():
    value: list = []
    for _ in range(100):
        value = [value]
    with pytest.raises(CodecError, match="nested deeper"):
        encode_value(value, [])


def test_arrays_decode_in_threads_side_by_side():
    """The client decodes the outputs of a submission's jobs in threads at once. CPython 3.11
    shares its AST constructor's state between threads, and np.load parses each npy header
    with ast.literal_eval: without one lock around it, a garbage collection that runs Python
    code in the middle lets another thread in, and a decode fails with "SystemError: AST
    constructor recursion depth mismatch" (seen in a test run)."""
    import gc
    import sys
    import threading

    blobs: list[bytes] = []
    tree = encode_value({"x": np.ones((8, 4))}, blobs)
    failures: list[BaseException] = []

    def decode_many() -> None:
        for _ in range(3000):
            try:
                decode_value(tree, blobs)
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                failures.append(exc)
                return

    def busy_callback(*_: object) -> None:
        sum(range(50))

    interval = sys.getswitchinterval()
    thresholds = gc.get_threshold()
    gc.callbacks.append(busy_callback)
    sys.setswitchinterval(1e-6)
    gc.set_threshold(10, 1, 1)
    try:
        threads = [threading.Thread(target=decode_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.callbacks.remove(busy_callback)
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
    assert failures == []

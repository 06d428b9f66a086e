"""Comparing plain outputs: type, shape and dtype first, then torch.testing-style value reports."""

import numpy as np

from grader.code import compare_outputs, values_message


def tensor(values, dtype="float64"):
    array = np.asarray(values, dtype=np.float64)
    return {"type": "tensor", "dtype": dtype, "shape": list(array.shape), "values": array}


def test_equal_within_tolerance_is_none():
    assert compare_outputs(tensor([1.0, 2.0]), tensor([1.0, 2.0 + 1e-9]), 1e-6, 1e-8) is None


def test_report_counts_mismatches_and_names_greatest_differences():
    expected = tensor([[1.0, 2.0], [3.0, 4.0]])
    actual = tensor([[1.0, 2.0], [3.5, 4.0]])
    message = compare_outputs(actual, expected, 1e-6, 1e-8)
    assert "Mismatched elements: 1 / 4 (25.0%)" in message
    assert "Typical difference where it is not close (the median): about 1e+00" in message
    assert "(up to 1e-08 + 1e-06 × |expected| allowed)" in message
    assert "Greatest" not in message


def test_one_probed_entry_does_not_move_the_reported_difference():
    """Bisecting one entry (the others left far off) changes nothing in the message."""
    expected = np.array([0.3, -0.9589243, 0.7, 1.1, -0.2])
    messages = set()
    for guess in (-5.0, -1.0, -0.96, -0.9589, 0.0, 5.0):
        actual = np.array([9.0, guess, 9.0, 9.0, 9.0])
        messages.add(values_message(actual, expected, 1e-6, 1e-8, "out"))
    assert len(messages) == 1


def test_no_message_gives_away_an_expected_value():
    """No index of a greatest difference, no exact difference, no factor or offset: nothing
    from which the expected values could be solved for."""
    expected = np.arange(1.0, 13.0).reshape(3, 4)
    for actual in (-expected, 1.5 * expected, expected + 0.25, expected * 1.000123):
        message = values_message(actual, expected, 1e-6, 1e-8, "out")
        assert "index" not in message and "times" not in message and "shifted" not in message
        assert "sign" not in message and "0.25" not in message and "1.5" not in message
        assert "0.000123" not in message and "1.23" not in message


def test_shape_is_reported_before_values_and_transposes_are_named():
    message = compare_outputs(tensor(np.zeros((3, 2))), tensor(np.zeros((2, 3))), 1e-6, 1e-8)
    assert message == "output: the shape is (3, 2), expected (2, 3) (transposed?)."


def test_dtype_mismatch_is_a_failure():
    message = compare_outputs(tensor([1.0], "float32"), tensor([1.0]), 1.0, 1.0)
    assert "dtype is float32, expected float64" in message


def test_wrong_type_is_never_compared_by_value():
    number = {"type": "number", "value": 1.0}
    assert compare_outputs(number, tensor([1.0]), 1.0, 1.0) == (
        "output: expected a torch.Tensor, got a Python number."
    )
    other = {"type": "other", "name": "ndarray"}
    assert "an object of type ndarray" in compare_outputs(other, tensor([1.0]), 1.0, 1.0)
    assert "cannot read" in compare_outputs({"weird": 1}, tensor([1.0]), 1.0, 1.0)


def test_rows_that_differ_are_listed():
    expected = np.ones((8, 3))
    actual = expected.copy()
    actual[2:5] += 1.0
    message = values_message(actual, expected, 1e-6, 1e-8, "out")
    assert "Differences are in rows 2–4 and every column." in message


def test_nan_outputs_are_called_out():
    message = values_message(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), 1e-6, 1e-8, "out")
    assert "1 entries of your result are NaN or infinite." in message


def test_sequences_compare_item_by_item():
    expected = {"type": "sequence", "items": [tensor([1.0]), tensor([2.0])]}
    actual = {"type": "sequence", "items": [tensor([1.0]), tensor([3.0])]}
    assert compare_outputs(actual, expected, 1e-6, 1e-8).startswith("output[1]:")
    short = {"type": "sequence", "items": [tensor([1.0])]}
    assert "expected 2 returned values, got 1" in compare_outputs(short, expected, 1e-6, 1e-8)

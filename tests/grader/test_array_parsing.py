import re

import numpy as np
import pytest

from grader.errors import AnswerFormatError
from grader.parsing.array import MAX_ELEMENTS, parse_array


@pytest.mark.parametrize(
    ("text", "shape", "values"),
    [
        ("[1, 2, 3]", (3,), [1, 2, 3]),
        ("(1.3, -4.7, 3.6)", (3,), [1.3, -4.7, 3.6]),
        ("1.3 -4.7 3.6", (3,), [1.3, -4.7, 3.6]),
        ("[[1, 2], [3, 4]]", (2, 2), [[1, 2], [3, 4]]),
        ("[1 2; 3 4]", (2, 2), [[1, 2], [3, 4]]),
        ("[1, 2; 3, 4]", (2, 2), [[1, 2], [3, 4]]),
        ("[[1, 2],]", (1, 2), [[1, 2]]),
        ("np.array([[0.02, 0, 0], [0.04, 0, 0]])", (2, 3), [[0.02, 0, 0], [0.04, 0, 0]]),
        ("torch.tensor([[[1, 2, 3]], [[4, 5, 6]]], dtype=torch.int64)", (2, 1, 3), None),
        ("[sqrt(4), 1/2]", (2,), [2, 0.5]),
        ("[1.5e-3, −2]", (2,), [1.5e-3, -2]),
    ],
)
def test_reads_python_numpy_and_matlab_arrays(text, shape, values):
    array = parse_array(text)
    assert array.shape == shape
    if values is not None:
        np.testing.assert_allclose(array.values, values)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("[]", "empty pair of brackets"),
        ("[[1, 2], [3]]", "different lengths"),
        ("[1 2; 3]", "different lengths"),
        ("[1,,2]", "missing"),
        ("[1, 2", "not closed"),
        ("[1, 2)]", "do not pair up"),
        ("[1, nan]", "finite"),
        ("[1, x]", "unknown name"),
        ("[" + ", ".join(["1"] * (MAX_ELEMENTS + 1)) + "]", "at most"),
        ("[" * 12 + "1" + "]" * 12, "dimensions"),
    ],
)
def test_unreadable_arrays_say_why(text, fragment):
    with pytest.raises(AnswerFormatError, match=fragment):
        parse_array(text)


def test_each_entry_keeps_its_written_form():
    array = parse_array("[[[1., 2, 3]]]")
    assert [entry.integer_literal for entry in array.entries] == [False, True, True]


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("[0,9997, 0,9123]", "0,9997"),
        ("0,9997 0,9123", "0,9997"),
        ("[1, 2,5, 3]", "2,5"),
        ("[[0,5, 0,7], [1, 2]]", "0,5"),
        ("[-0,25 1]", "-0,25"),
        ("[0,86,-1,00,1,00]", "0,86"),
        ("[0,86 ,-1,00 ,1,00]", "0,86"),
    ],
)
def test_decimal_commas_in_an_array_are_refused_not_read_as_more_entries(written, number):
    with pytest.raises(AnswerFormatError, match=f"^{re.escape(number)} looks like a number with"):
        parse_array(written)


@pytest.mark.parametrize(
    ("written", "shape"), [("[1,2,3]", (3,)), ("[[1,2], [3,4]]", (2, 2)), ("[1,2;3,4]", (2, 2))]
)
def test_commas_that_only_separate_entries_are_read_as_before(written, shape):
    assert parse_array(written).shape == shape

"""Reading a code part's tests spec: defaults and messages that name the test and field."""

import pytest

from grader.code import DEFAULT_ATOL, DEFAULT_RTOL, CodeSpecError, parse_code_tests


def test_defaults_are_looser_than_torch_float32():
    (test,) = parse_code_tests([{"name": "values", "points": 2, "check": "forward"}])
    assert (test.rtol, test.atol, test.visibility) == (DEFAULT_RTOL, DEFAULT_ATOL, "visible")
    assert DEFAULT_RTOL > 1.3e-6 and DEFAULT_ATOL >= 1e-5


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "a b", "points": 1, "check": "forward"}, "name must be an identifier"),
        (
            {"name": "t", "points": 0, "check": "forward"},
            "'t': points must be a positive",
        ),
        ({"name": "t", "points": 1, "check": "smell"}, "check must be one of"),
        ({"name": "t", "points": 1, "check": "forward", "rtol": -1}, "rtol must be"),
        ({"name": "t", "points": 1, "check": "forward", "colour": 1}, "unknown field(s) colour"),
        ({"name": "t", "points": 1, "check": "facts"}, "needs an expect table"),
        (
            {"name": "t", "points": 1, "check": "facts", "expect": {"lr": {"below": 1}}},
            "unknown bound(s) below",
        ),
        (
            {"name": "t", "points": 1, "check": "training", "expect": {"accuracy": {"min": 1}}},
            "needs a training table",
        ),
    ],
)
def test_malformed_tests_are_rejected_with_a_reason(raw, message):
    with pytest.raises(CodeSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_code_tests([raw])


def test_names_must_be_unique_and_tests_present():
    with pytest.raises(CodeSpecError, match="used twice"):
        parse_code_tests([{"name": "t", "points": 1, "check": "forward"}] * 2)
    with pytest.raises(CodeSpecError, match="non-empty array"):
        parse_code_tests([])

"""check_format, parse_answers and mark_question over a whole question, and fuzzing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from grader import PartSpec, Reference, check_format, mark_question, parse_answers
from grader.answer_marking import raw_text
from grader.kinds import MARKERS

DP2 = {"tolerance": {"dp": 2}}
PARTS = [
    PartSpec("c(i)", "number", 2, DP2, quantity="y"),
    PartSpec("c(ii)", "number", 2, DP2, quantity="J"),
    PartSpec("b", "vector", 2, {**DP2, "shape": [3]}, quantity="u1"),
    PartSpec("n", "integer", 1),
    PartSpec("why", "text", 3),
    PartSpec("impl", "code", 5),
]
REFERENCE = Reference(
    exact={"y": 0.8135, "J": 1.6791, "u1": [1.3, -4.7, 3.6], "n": 45},
    rounded={"y": 0.81, "J": 1.66, "u1": [1.3, -4.7, 3.6]},
)


def test_check_format_reports_only_unreadable_auto_marked_parts():
    answers = {"c(i)": "0.81", "c(ii)": "abc", "b": "[1, 2]", "n": "", "why": "", "impl": ""}
    errors = check_format(PARTS, answers)
    assert set(errors) == {"c(ii)"}, "empty answers are unanswered, never unreadable"


def test_check_format_never_reveals_a_stated_or_reference_shape():
    """A vector of the wrong length is readable: its length is marked, not refused."""
    for answer in ("[1, 2]", "[1, 2, 3, 4]"):
        assert check_format(PARTS, {"b": answer}).get("b") is None
    assert check_format(PARTS, {"b": "[[1, 2], [3, 4]]"})["b"].startswith("enter a vector (")


def test_parse_answers_keys_by_quantity_and_skips_unreadable():
    answers = {"c(i)": "0.81", "c(ii)": "1/0", "b": "1.3 -4.7 3.6", "n": "45", "why": " because "}
    assert parse_answers(PARTS, answers) == {
        "y": 0.81,
        "u1": [1.3, -4.7, 3.6],
        "n": 45,
        "why": "because",
    }


def test_mark_question_marks_every_part_but_code():
    answers = {"c(i)": "0.81", "c(ii)": "1.66", "b": "[1.3, -4.7, 3.6]", "n": "46", "why": "x"}
    result = mark_question(PARTS, REFERENCE, answers)
    assert list(result.parts) == ["c(i)", "c(ii)", "b", "n", "why"]
    statuses = {label: part.status for label, part in result.parts.items()}
    assert statuses == {
        "c(i)": "correct",
        "c(ii)": "correct",
        "b": "correct",
        "n": "incorrect",
        "why": "needs_manual",
    }
    assert result.score == 6.0 and result.max_score == 10.0
    assert result.as_dict()["parts"]["c(ii)"]["matched"] == "rounded"


def test_unknown_kind_is_left_for_an_instructor():
    result = mark_question([PartSpec("x", "drawing", 1)], REFERENCE, {"x": "1"})
    assert result.parts["x"].status == "needs_manual"
    assert check_format([PartSpec("x", "drawing", 1)], {"x": ""}) == {}


def test_non_text_answers_from_api_clients_are_read():
    assert raw_text(0.81) == "0.81"
    assert raw_text([1.3, -4.7, 3.6]) == "[1.3, -4.7, 3.6]"
    assert raw_text(None) == ""
    result = mark_question(
        PARTS[:3], REFERENCE, {"c(i)": 0.81, "c(ii)": 1.68, "b": [1.3, -4.7, 3.6]}
    )
    assert {part.status for part in result.parts.values()} == {"correct"}


FUZZ_PARTS = [
    PartSpec(kind, kind, 1, rule)
    for kind, rule in [
        ("number", DP2),
        ("integer", {}),
        ("vector", {**DP2, "shape": [3]}),
        ("matrix", {**DP2, "per_element_credit": True, "shape": [2, 2]}),
        ("tensor", {"shape": [1, 1, 2]}),
        ("tensor_shape", {"shape": [2, 1, 3], "elements": "integer"}),
        ("formula", {"variables": ["k"]}),
        ("choice", {"options": ["a", "b", "c", "d"]}),
        ("multi", {"options": ["a", "b", "c", "d"], "scoring": "net_correct"}),
        ("truefalse", {}),
        ("pair", {}),
    ]
]
FUZZ_REFERENCE = Reference(
    exact={
        "number": 1.68,
        "integer": 45,
        "vector": [1.3, -4.7, 3.6],
        "matrix": [[0.2, 0.3], [0.8, 0.9]],
        "tensor": [[[1.0, 2.0]]],
        "formula": "(sqrt(k)-1)/(sqrt(k)+1)",
        "choice": "b",
        "multi": ["a", "c"],
        "truefalse": True,
        "pair": "C",
    }
)
answer_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.,;[]() -+*/^eE%x×−√kpisqrt", max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(answer_text)
def test_any_text_is_either_readable_or_a_format_error(text):
    answers = {part.label: text for part in FUZZ_PARTS}
    errors = check_format(FUZZ_PARTS, answers)
    parsed = parse_answers(FUZZ_PARTS, answers)
    result = mark_question(FUZZ_PARTS, FUZZ_REFERENCE, answers)
    for part in FUZZ_PARTS:
        status = result.parts[part.label].status
        if not text.strip():
            assert status == "unanswered" and part.label not in errors
            assert part.quantity_name not in parsed
            continue
        assert (part.label in errors) == (part.quantity_name not in parsed)
        assert (status == "format_error") == (part.label in errors) or status == "needs_manual"
        assert 0 <= result.parts[part.label].score <= part.marks


def test_every_kind_has_a_marker():
    assert set(MARKERS) == {part.kind for part in FUZZ_PARTS} | {"text"}

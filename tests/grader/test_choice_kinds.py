import pytest

from grader import PartSpec, Reference, check_format, mark_part

OPTIONS = {"options": ["a", "b", "c", "d"]}


def mark(kind, answer, expected, rule=None, marks=2.0):
    part = PartSpec("q", kind, marks, rule or {})
    return mark_part(part, Reference(exact={"q": expected}), answer)


@pytest.mark.parametrize("answer", ["b", "B", "(b)", "b)", " b. "])
def test_single_choice_accepts_decorated_labels(answer):
    assert mark("choice", answer, "b", OPTIONS).status == "correct"


def test_single_choice_wrong_and_unknown_options():
    assert mark("choice", "c", "b", OPTIONS).status == "incorrect"
    result = mark("choice", "e", "b", OPTIONS)
    assert result.status == "format_error" and "a, b, c, d" in result.feedback


def test_anticipated_choice_feedback():
    rule = {
        **OPTIONS,
        "anticipated": [{"answer": "c", "feedback": "Attention is correlation, not focus."}],
    }
    result = mark("choice", "c", "b", rule)
    assert result.feedback == "Attention is correlation, not focus." and result.score == 0


@pytest.mark.parametrize(
    ("mode", "answer", "credit"),
    [
        ("all_or_nothing", "a, c", 1.0),
        ("all_or_nothing", "a", 0.0),
        ("net_correct", "a", 0.5),
        ("net_correct", "a, b", 0.0),
        ("net_correct", "a, b, c", 0.5),
        ("each_answer", "a", 0.75),
        ("each_answer", "a, b, c", 0.75),
        ("each_answer", "b, d", 0.0),
    ],
)
def test_multiple_select_scoring_modes(mode, answer, credit):
    result = mark("multi", answer, ["a", "c"], {**OPTIONS, "scoring": mode}, marks=1.0)
    assert result.score == pytest.approx(credit)


def test_multiple_select_reads_lists_and_rejects_duplicates():
    assert mark("multi", "['c', 'a']", ["a", "c"], OPTIONS).status == "correct"
    assert mark("multi", "a a", ["a"], OPTIONS).status == "format_error"
    assert mark("multi", "a, z", ["a"], OPTIONS).status == "format_error"


@pytest.mark.parametrize(("answer", "expected"), [("T", True), ("false", "F"), ("yes", "T")])
def test_true_false(answer, expected):
    assert mark("truefalse", answer, expected).status == "correct"


def test_true_false_wrong_and_unreadable():
    assert mark("truefalse", "T", False).status == "incorrect"
    assert mark("truefalse", "maybe", False).status == "format_error"


# Seed 002 Q4(b): (i) B, (ii) C, (iii) A.
@pytest.mark.parametrize(
    ("answer", "expected"), [("B", "B"), ("c", "C"), ("A", [True, True]), ("B", ["T", "F"])]
)
def test_statement_pairs(answer, expected):
    assert mark("pair", answer, expected).status == "correct"


def test_statement_pair_partial_credit_is_opt_in():
    assert mark("pair", "A", "B").score == 0
    result = mark("pair", "A", "B", {"partial_credit": True})
    assert result.status == "partially_correct" and result.score == 1.0
    assert mark("pair", "D", "A", {"partial_credit": True}).score == 0


def test_statement_pair_rejects_other_letters():
    result = mark("pair", "E", "A")
    assert result.status == "format_error" and "both true" in result.feedback


def test_check_format_on_choice_kinds():
    parts = [
        PartSpec("c", "choice", 1, OPTIONS),
        PartSpec("m", "multi", 1, OPTIONS),
        PartSpec("t", "truefalse", 1),
        PartSpec("p", "pair", 1),
    ]
    assert check_format(parts, {"c": "a", "m": "a,b", "t": "F", "p": "D"}) == {}
    assert set(check_format(parts, {"c": "x", "m": "z", "t": "?", "p": "Z"})) == {
        "c",
        "m",
        "t",
        "p",
    }
    assert check_format(parts, {"c": "", "m": " ", "t": "", "p": ""}) == {}
    assert check_format(parts, {"c": "", "m": " ", "t": "", "p": ""}) == {}

"""Proofreading every message the marking library shows: feedback, format errors, mistakes.

A corpus of answers drives every marker through each of its message branches; every
feedback sentence and every format-error clause it produces, and every message constant, is
checked for what a proofreader would catch. A static scan makes sure the corpus reaches every
``AnswerFormatError`` raised in grader/ (outside grader/code, whose messages come from the
sandbox): a new message that the corpus does not reach fails here until an answer reaching it
is added to CORPUS.
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

import grader
from grader import PartResult, PartSpec, Reference, check_format, mark_part, validate_rule
from grader.errors import AnswerFormatError, RuleError
from grader.kinds import MARKERS
from grader.kinds.base import NO_REFERENCE_FEEDBACK, UNANSWERED_FEEDBACK, as_sentence
from grader.kinds.choice import PARTIAL_FEEDBACK
from grader.kinds.formula import FORMULA_MISTAKES
from grader.kinds.text import MANUAL_FEEDBACK
from grader.mistakes import MISTAKE_FEEDBACK, candidate_mistakes
from grader.shapes import SHAPE_MISMATCH_FEEDBACK

GRADER_ROOT = Path(grader.__file__).parent
MOMENTUM = "(sqrt(k)-1)/(sqrt(k)+1)"
SIN5 = math.sin(5)
EXACT = {
    "J": 1.6791,
    "r": 55 / 294,
    "pct": 42.5,
    "pe": SIN5,
    "theta": 5.0,
    "ce": 0.6931,
    "ce10": 0.301,
    "ce2": 1.0,
    "q": 0.09996,
    "n": 320128,
    "u": [1.3, -4.7, 3.6],
    "W": [[0.2, 0.3], [0.8, 0.9]],
    "G": [[0.04, 0.0], [-0.04, 0.0], [0.04, 0.0]],
    "T": [[[1.0, 2.0]]],
    "f": MOMENTUM,
    "c": "b",
    "m": ["a", "c"],
    "tf": True,
    "pair": "A",
    "alt": 1.6791,
}
REFERENCE = Reference(
    exact=EXACT,
    rounded={"J": 1.66},
    carried_forward={"J": 2.3026},
    alternatives={"alt": {"mean_instead_of_sum": 0.84, "forgotten_bias": 2.5}},
)
DP2 = {"tolerance": {"dp": 2}}
DP4 = {"tolerance": {"dp": 4}}
SF3 = {"tolerance": {"sf": 3}}
ANTICIPATED = [
    {"answer": "0.19", "feedback": "That is 1 - y; take its log.", "credit": 0},
    {"quantity": "pe", "feedback": "That is the positional encoding, not the loss."},
]
# (label, kind, rule, answers): each answer reaches one message branch or more.
CORPUS: list[tuple[str, str, dict, list[str]]] = [
    (
        "J",
        "number",
        {**DP2, "anticipated": ANTICIPATED},
        [
            "1.68",
            "1.66",
            "2.30",
            "-1.68",
            "3.36",
            "0.84",
            "16.79",
            "0.0168",
            "1679.1",
            "1.679e6",
            "1.679e-6",
            "1.67",
            "7.5",
            "0.19",
            "-0.96",
            "1.7",
            "",
            "   ",
            "nan",
            "-inf",
            "1e500",
            "1e-500",
            "10^10^10",
            "1/0",
            "sqrt(-1)",
            "1, 2",
            "1,2,3",
            "1 2",
            "0,250",
            "1,250",
            "1,25,000",
            "1,234 567",
            "16 94 1456",
            "foo",
            "sqrt 2",
            "(1+2",
            "1+",
            "2 $ 3",
            "*2",
            "(1))",
            "1" * 201,
            "(" * 60 + "1" + ")" * 60,
            "1+" * 160 + "1",
            "[1, 2]",
            "12,5%",
            "1/2pi",
            "√2pi",
        ],
    ),
    ("J", "number", {**DP2, "rounded_credit": 0.5, "carried_forward_credit": 0.5}, ["1.66"]),
    ("J", "number", {**DP2, "carried_forward_credit": 0.5}, ["2.30"]),
    ("J", "number", {"rounded_dp": 2, "tolerance": {"sf": 3}}, ["1.66"]),
    ("J", "number", {"tolerance": {"sf": 3, "rel": 0.01}}, ["1.7", "1.4"]),
    ("J", "number", {"tolerance": {"abs": 0.001}}, ["1.7", "1.5"]),
    ("J", "number", {"mistakes": False}, ["-1.68", "9"]),
    ("J", "number", {"tolerance": {"dp": "two"}}, ["1.68"]),
    ("nowhere", "number", DP2, ["1.68"]),
    ("r", "number", {"tolerance": {"dp": 3}}, ["18.7", "18.7%", "0.187"]),
    ("pct", "number", {**SF3, "mistake_hints": {"percent": True}}, ["0.425", "42.5%"]),
    ("pe", "number", DP4, ["-0.9598", "-0.959", "-0.9589", "-1"]),
    (
        "pe",
        "number",
        {**DP4, "mistake_hints": {"angle": {"function": "sin", "argument": "theta"}}},
        ["0.0872"],
    ),
    ("ce", "number", {**SF3, "mistake_hints": {"log": "ln"}}, ["0.301", "1.00"]),
    ("ce10", "number", {**SF3, "mistake_hints": {"log": "log10"}}, ["0.693"]),
    ("ce2", "number", {**SF3, "mistake_hints": {"log": "log2"}}, ["0.693"]),
    ("q", "number", SF3, ["0.0996", "0.100"]),
    ("q", "number", {**SF3, "decimal_comma": True}, ["0,100", "1,2,3", "1.2,3", "1.250"]),
    ("alt", "number", DP2, ["0.84", "2.50"]),
    ("n", "integer", {}, ["320128", "320,128", "320 128", "320127", "3.5", "32 01 28"]),
    ("u", "vector", DP2, ["[1.3, -4.7, 3.6]", "[1.3, 4.7, 3.6]", "[9, 9, 9]", "[[1, 2], [3, 4]]"]),
    ("u", "vector", {}, ["[1.3, -4.7, 3.7]"]),
    ("u", "vector", {"tolerance": {"abs": 0}}, ["[1.3, -4.7, 3.7]"]),
    (
        "u",
        "vector",
        DP2,
        [
            "",
            "[1, 2",
            "[1, 2]]",
            "[[1], [2, 3]]",
            "[]",
            "[1, , 2]",
            "[1 2; ]",
            "[" * 12 + "1" + "]" * 12,
            "[" + ", ".join(["1"] * 1001) + "]",
            "[" + "1 " * 4001 + "]",
            "1" * 5001,
            "[[[[[[[1]]]]]]]",
            "[0,9997, 0,9123]",
            "1,3; -4,7; 3,6",
        ],
    ),
    ("W", "matrix", DP2, ["[[0.2, 0.8], [0.3, 0.9]]", "[[[1]]]", "[[0.2, 0.3], [0.8, 0.8]]"]),
    (
        "G",
        "matrix",
        {**DP2, "per_element_credit": True},
        ["[[-0.04, 0], [-0.04, 0], [0.04, 0]]", "[[0.04, -0.04, 0.04], [0, 0, 0]]"],
    ),
    (
        "G",
        "matrix",
        {**DP2, "per_element_credit": True, "tolerance": {"dp": 3}},
        ["[[0.04, 0], [-0.04, 0], [0.04, 0]]"],
    ),
    ("G", "matrix", DP2, ["[[-0.04, 0], [0.04, 0], [-0.04, 0]]", "[[0.04, -0.04], [0, 0]]"]),
    ("T", "tensor", {}, ["[[[1, 2]]]", "[1, 2]", ""]),
    (
        "T",
        "tensor_shape",
        {"shape": [1, 1, 2], "elements": "integer", "strict_dtype": True},
        ["[[[1, 2]]]", "[[[1., 2.]]]", "[[[1.5, 2]]]", "[1, 2]", "[1, 2"],
    ),
    (
        "f",
        "formula",
        {
            "variables": ["k"],
            "anticipated": [
                {"answer": "(k-1)/(k+1)", "feedback": "That is the rate of plain gradient descent."}
            ],
        },
        [
            MOMENTUM,
            "(1-sqrt(k))/(sqrt(k)+1)",
            "2*" + MOMENTUM,
            MOMENTUM + "/2",
            "(k-1)/(k+1)",
            "k",
            "1/(k-k)",
            "",
            "kappa",
            "sqrt k",
            "(k",
            "k+",
            "k)",
            "2 @ k",
            "k" * 301,
            "1/2k",
            "√k^2",
            "√-k",
            "e^2k",
            "sqrtk",
            "1/(k-k) + ln(-k)",
            "k*1e3",
            "k + 2e-k",
            "2.5E+3*k",
        ],
    ),
    (
        "c",
        "choice",
        {
            "options": ["a", "b", "c"],
            "anticipated": [{"answer": "c", "feedback": "That is the opposite effect."}],
        },
        ["b", "a", "c", "", "e", "a b", "x" * 201],
    ),
    (
        "m",
        "multi",
        {"options": ["a", "b", "c", "d"], "scoring": "net_correct"},
        ["a, c", "a", "b", "", "e", "a, a", "[]"],
    ),
    ("m", "multi", {"options": ["a", "b", "c", "d"], "scoring": "each_answer"}, ["a"]),
    ("tf", "truefalse", {}, ["T", "F", "", "maybe"]),
    ("pair", "pair", {"partial_credit": True}, ["A", "B", "D", "", "E"]),
    ("text", "text", {}, ["anything"]),
]
EXPECTED_MISTAKES = {
    "sign",
    "transpose",
    "double",
    "half",
    "percent",
    "fraction",
    "log10_for_ln",
    "log2_for_ln",
    "ln_for_log10",
    "ln_for_log2",
    "degrees",
    "digit_swap",
    "early_rounding",
    "insufficient_precision",
    "shape",
    "element_type",
    "mean_instead_of_sum",
    "forgotten_bias",
    "power_of_ten_1",
    "power_of_ten_3",
    "power_of_ten_6",
    "power_of_ten_-2",
    "power_of_ten_-6",
}
_DOUBLED_WORD = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
_LEAKS = re.compile(r"\bNone\b|\bnan\b|\binf\b|[{}]|\de[+-]\d|\bnp\.|\[\]\s*$")


def _marked() -> tuple[list[PartResult], list[str]]:
    results, clauses = [], []
    for label, kind, rule, answers in CORPUS:
        part = PartSpec(label, kind, 2.0, rule)
        for answer in answers:
            results.append(mark_part(part, REFERENCE, answer))
            clauses.extend(check_format([part], {label: answer}).values())
            clauses.extend(_parser_clauses(part, answer))
    return results, clauses


def _parser_clauses(part: PartSpec, answer: str) -> list[str]:
    """The format error of the kind's own reader, which also reads anticipated answers and
    reference values (an empty submitted answer never reaches it: it is unanswered)."""
    marker = MARKERS.get(part.kind)
    if marker is None:
        return []
    try:
        marker.parse(part, answer)
    except AnswerFormatError as error:
        return [str(error)]
    except RuleError:
        return []
    return []


RESULTS, CLAUSES = _marked()
FEEDBACK = sorted({result.feedback for result in RESULTS})


def _mistake_messages() -> list[str]:
    reference = np.array(0.42)
    hints_list = [{}, {"percent": True}, {"log": "ln"}, {"log": "log10"}, {"log": "log2"}]
    messages = set(MISTAKE_FEEDBACK.values())
    for hints in hints_list:
        messages |= {m.feedback for m in candidate_mistakes(reference, hints, {}, {})}
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    messages |= {m.feedback for m in candidate_mistakes(square, {}, {}, {"made_up_slip": square})}
    return sorted(messages)


CONSTANTS = sorted(
    {
        *_mistake_messages(),
        *(feedback for _, _, feedback in FORMULA_MISTAKES),
        SHAPE_MISMATCH_FEEDBACK,
        NO_REFERENCE_FEEDBACK,
        UNANSWERED_FEEDBACK,
        MANUAL_FEEDBACK,
        PARTIAL_FEEDBACK,
    }
)


def _proofreading_problems(text: str) -> list[str]:
    problems = []
    if "  " in text:
        problems.append("a double space")
    if (doubled := _DOUBLED_WORD.search(text)) is not None:
        problems.append(f"the doubled word {doubled.group(0)!r}")
    if (leak := _LEAKS.search(text)) is not None:
        problems.append(f"a leaked {leak.group(0)!r}")
    if text != text.strip():
        problems.append("leading or trailing white space")
    return problems


def _sentence_problems(text: str) -> list[str]:
    problems = _proofreading_problems(text)
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "'\""):
        problems.append("no capital (or quoted answer, or number) at the start")
    if not text.endswith((".", "!", "?")):
        problems.append("no . ! or ? at the end")
    return problems


@pytest.mark.parametrize("feedback", FEEDBACK)
def test_every_feedback_is_a_proofread_sentence(feedback):
    assert _sentence_problems(feedback) == [], feedback


@pytest.mark.parametrize("message", CONSTANTS)
def test_every_message_constant_is_a_proofread_sentence(message):
    assert _sentence_problems(message) == [], message


@pytest.mark.parametrize("clause", sorted(set(CLAUSES)))
def test_every_format_error_is_a_proofread_clause(clause):
    """Format errors are clauses that callers embed ("part a: …"), shown alone as sentences."""
    assert _proofreading_problems(clause) == [], clause
    assert not clause.endswith("."), clause
    assert _sentence_problems(as_sentence(clause)) == [], clause


def test_the_corpus_reaches_every_named_mistake_and_status():
    named = {name for result in RESULTS for name in result.mistakes}
    assert named >= EXPECTED_MISTAKES, EXPECTED_MISTAKES - named
    statuses = {result.status for result in RESULTS}
    assert statuses == {
        "correct",
        "partially_correct",
        "incorrect",
        "format_error",
        "needs_manual",
        "unanswered",
    }
    assert {result.matched for result in RESULTS} >= {
        "exact",
        "rounded",
        "carried_forward",
        "anticipated",
    }


def test_the_corpus_reaches_every_mistake_feedback():
    produced = " ".join(FEEDBACK)
    for feedback in MISTAKE_FEEDBACK.values():
        assert feedback in produced, feedback


def _format_error_texts() -> list[tuple[str, str]]:
    """(where, longest literal piece) of each AnswerFormatError raised in grader/."""
    found = []
    for path in sorted(GRADER_ROOT.rglob("*.py")):
        if "code" in path.relative_to(GRADER_ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "AnswerFormatError"
                and node.args
            ):
                continue
            pieces = [
                piece.value
                for piece in ast.walk(node.args[0])
                if isinstance(piece, ast.Constant) and isinstance(piece.value, str)
            ]
            if pieces:
                where = f"{path.relative_to(GRADER_ROOT)}:{node.lineno}"
                found.append((where, max(pieces, key=len).strip()))
    return found


def test_the_static_scan_finds_the_format_errors():
    assert len(_format_error_texts()) >= 40


@pytest.mark.parametrize(("where", "piece"), _format_error_texts())
def test_the_corpus_reaches_every_format_error(where, piece):
    produced = CLAUSES + [r.feedback for r in RESULTS if r.status == "format_error"]
    assert any(piece in text for text in produced), (
        f"no answer in CORPUS reaches the format error at grader/{where} ({piece!r}); add one"
    )


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("number", {"tol": 1, "tolerance": {"dp": -1, "sf": 0, "rel": -1}, "mistakes": "yes"}),
        ("number", {"mistake_hints": {"log": "log3", "angle": {"function": "sin"}}}),
        ("number", {"anticipated": [{"feedback": ""}, 3], "decimal_comma": 1}),
        ("matrix", {"shape": [3, 0], "per_element_credit": "no"}),
        ("formula", {"variables": ["2k"], "domain": {"M": [2, 1]}}),
        ("multi", {"options": ["a", "A"], "scoring": "most"}),
        ("essay", {}),
    ],
)
def test_rule_problems_for_authors_are_proofread(kind, rule):
    problems = validate_rule(kind, rule)
    assert problems
    for problem in problems:
        assert _proofreading_problems(problem) == [], problem

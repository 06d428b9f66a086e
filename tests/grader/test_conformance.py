"""Moodle STACK's and PrairieLearn's published answer-test cases, marked by our grader.

Each table in tests/grader/conformance/ holds the facts of a peer's cases (answer, reference,
the peer's option and outcome), the rule each case becomes here, and the outcome our rules
require. Where ours differs from the peer's, the row names its reason: a subsection of
"Where we differ from STACK and PrairieLearn, and why" in docs/marking.md.
"""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from grader import PartSpec, Reference, mark_part
from grader.parsing.array import parse_array
from grader.parsing.number import parse_number

TABLES = Path(__file__).parent / "conformance"
TABLE_FILES = ("stack_cases.toml", "prairielearn_cases.toml")
MARKING_DOC = Path(__file__).parents[2] / "docs" / "marking.md"
DIFFERENCES_HEADING = "## Where we differ from STACK and PrairieLearn, and why"
CASE_KEYS = {"source", "option", "kind", "answer", "reference", "rule", "peer", "ours"}
OPTIONAL_KEYS = {"option", "kind", "mistake", "reason", "note"}
ERROR_STATUSES = {"format_error", "needs_manual"}
SCALE_MISTAKE = "power_of_ten_"


def _table(name: str) -> dict[str, Any]:
    return tomllib.loads((TABLES / name).read_text(encoding="utf-8"))


CASES = [case for name in TABLE_FILES for case in _table(name)["cases"]]


def _documented_differences() -> set[str]:
    text = MARKING_DOC.read_text(encoding="utf-8")
    start = text.index(DIFFERENCES_HEADING) + len(DIFFERENCES_HEADING)
    following = re.search(r"^## ", text[start:], flags=re.MULTILINE)
    section = text[start : start + following.start()] if following else text[start:]
    return set(re.findall(r"^### (.+?)\s*$", section, flags=re.MULTILINE))


def _test_name(case: dict[str, Any]) -> str:
    return case["source"].split()[1]


def _reference(case: dict[str, Any]) -> Any:
    kind = case.get("kind", "number")
    if kind == "number":
        return parse_number(case["reference"]).value
    return parse_array(case["reference"]).values.tolist()


def _mark(case: dict[str, Any]):
    part = PartSpec("q", case.get("kind", "number"), 1.0, case["rule"])
    return mark_part(part, Reference(exact={"q": _reference(case)}), case["answer"])


def _agrees_with_peer(case: dict[str, Any]) -> bool:
    """Whether our expected outcome means what the peer's expected outcome means."""
    ours, peer = case["ours"], case["peer"]
    if peer == -1:
        return ours in ERROR_STATUSES
    test = _test_name(case)
    if test == "NumDecPlacesWrong":
        same_digits = ours == "correct" or case.get("mistake", "").startswith(SCALE_MISTAKE)
        return same_digits if peer == 1 else (ours == "incorrect" and not same_digits)
    if test == "get_string_significant_digits":
        return ours == "correct"
    return ours == ("correct" if peer else "incorrect")


@pytest.mark.parametrize("case", CASES, ids=[case["source"] for case in CASES])
def test_peer_case_is_marked_as_our_rules_require(case):
    result = _mark(case)
    assert result.status == case["ours"], result.feedback
    if _test_name(case) == "NumDecPlacesWrong":
        scale = [name for name in result.mistakes if name.startswith(SCALE_MISTAKE)]
        assert scale == ([case["mistake"]] if "mistake" in case else [])
    elif "mistake" in case:
        assert case["mistake"] in result.mistakes


@pytest.mark.parametrize("case", CASES, ids=[case["source"] for case in CASES])
def test_a_difference_from_the_peer_names_a_documented_reason(case):
    if _agrees_with_peer(case):
        assert "reason" not in case, "a case that agrees with the peer needs no reason"
    else:
        assert case.get("reason") in _documented_differences()


@pytest.mark.parametrize("case", CASES, ids=[case["source"] for case in CASES])
def test_case_rows_are_well_formed(case):
    assert CASE_KEYS - OPTIONAL_KEYS <= set(case) <= CASE_KEYS | OPTIONAL_KEYS
    if _test_name(case) == "get_string_significant_digits":
        assert case["rule"] == {"written_sf": case["peer"]}


@pytest.mark.parametrize("name", TABLE_FILES)
def test_every_peer_case_is_translated_or_left_out_exactly_once(name):
    table = _table(name)
    translated = [case["source"] for case in table["cases"]]
    left_out = [source for sources in table["left_out"].values() for source in sources]
    assert len(set(translated + left_out)) == len(translated) + len(left_out)
    assert len(translated) + len(left_out) == table["peer_cases"]


def test_every_documented_difference_is_shown_by_some_case():
    reasons = {case["reason"] for case in CASES if "reason" in case}
    assert reasons == _documented_differences()

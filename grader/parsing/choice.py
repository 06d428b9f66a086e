"""Reading option labels, selections, true/false and statement-pair answers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from grader.errors import AnswerFormatError

MAX_CHOICE_LENGTH = 200
PAIR_LETTERS = {"a": (True, True), "b": (True, False), "c": (False, True), "d": (False, False)}
_TRUE_WORDS = frozenset({"t", "true", "yes", "y"})
_FALSE_WORDS = frozenset({"f", "false", "no", "n"})
_DECORATION = re.compile(r"^[\s(\[\"']*(?P<label>.*?)[\s)\]\"'.:]*$")
_SEPARATORS = re.compile(r"[\s,;]+")


def _cleaned(raw: str, example: str) -> str:
    text = raw.strip()
    if not text:
        raise AnswerFormatError(f"the answer is empty; {example}")
    if len(text) > MAX_CHOICE_LENGTH:
        raise AnswerFormatError(f"the answer is longer than {MAX_CHOICE_LENGTH} characters")
    return text


def normalise_label(text: str) -> str:
    """'(B)', 'b)', ' b. ' and 'B' all become 'b'."""
    match = _DECORATION.match(str(text))
    return (match.group("label") if match else str(text)).strip().lower()


def _options_text(options: Sequence[str]) -> str:
    return ", ".join(str(option) for option in options)


def parse_label(raw: str, options: Sequence[str] | None) -> str:
    """One option label, checked against the part's options when they are known."""
    label = normalise_label(_cleaned(raw, "choose one option"))
    if not label or _SEPARATORS.search(label):
        raise AnswerFormatError("choose exactly one option")
    if options is not None and label not in {normalise_label(o) for o in options}:
        raise AnswerFormatError(
            f"'{label}' is not an option; choose one of {_options_text(options)}"
        )
    return label


def parse_labels(raw: str, options: Sequence[str]) -> list[str]:
    """A multiple selection such as 'a, c' or ['a', 'c'], as sorted distinct labels."""
    text = _cleaned(raw, "select at least one option")
    labels = [normalise_label(piece) for piece in _SEPARATORS.split(text.strip("[]()"))]
    labels = [label for label in labels if label]
    if not labels:
        raise AnswerFormatError("select at least one option")
    allowed = {normalise_label(o) for o in options}
    unknown = [label for label in labels if label not in allowed]
    if unknown:
        raise AnswerFormatError(
            f"'{unknown[0]}' is not an option; choose among {_options_text(options)}"
        )
    if len(set(labels)) != len(labels):
        raise AnswerFormatError("an option is selected twice; list each option once")
    return sorted(labels)


def parse_truth(raw: str) -> bool:
    """'T', 'true', 'yes' → True; 'F', 'false', 'no' → False."""
    word = normalise_label(_cleaned(raw, "answer TRUE or FALSE"))
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise AnswerFormatError(f"'{word}' is not true or false; answer TRUE or FALSE (or T / F)")


def parse_pair(raw: str) -> str:
    """One of A–D for a pair of statements (A: both true … D: both false)."""
    letter = normalise_label(_cleaned(raw, "choose A, B, C or D"))
    if letter not in PAIR_LETTERS:
        raise AnswerFormatError(
            f"'{letter}' is not a choice; answer A (both true), B (I true, II false), "
            "C (I false, II true) or D (both false)"
        )
    return letter

"""Marking single choice, multiple select, true/false and statement-pair parts."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from grader.errors import AnswerFormatError, RuleError
from grader.kinds.base import (
    NO_REFERENCE_FEEDBACK,
    credited_result,
    format_error_result,
    manual_result,
    reference_value,
)
from grader.parsing.choice import (
    PAIR_LETTERS,
    normalise_label,
    parse_label,
    parse_labels,
    parse_pair,
    parse_truth,
)
from grader.rules import validate_rule
from grader.types import PartResult, PartSpec, Reference

PARTIAL_FEEDBACK = "Partly correct: some of your choices are right, but not all."


def _checked_rule(part: PartSpec) -> Mapping[str, Any]:
    problems = validate_rule(part.kind, part.rule)
    if problems:
        raise RuleError(f"rule of part {part.label}: " + "; ".join(problems))
    return part.rule


def _anticipated_result(
    part: PartSpec, answer: Any, read: Callable[[str], Any]
) -> PartResult | None:
    for entry in part.rule.get("anticipated", ()):
        if "answer" not in entry:
            continue
        try:
            expected = read(str(entry["answer"]))
        except AnswerFormatError:
            continue
        if expected == answer:
            credit = float(entry.get("credit", 0.0))
            return credited_result(part, credit, entry["feedback"], "anticipated")
    return None


class _ChoiceLikeMarker(ABC):
    """Shared flow: read the answer, read the reference the same way, score the pair."""

    @abstractmethod
    def read(self, part: PartSpec, raw: str) -> Any:
        """The student's answer in comparable form; raises AnswerFormatError."""

    @abstractmethod
    def read_reference(self, part: PartSpec, value: Any) -> Any:
        """The reference value in the same form as :meth:`read` returns."""

    @abstractmethod
    def score(self, part: PartSpec, answer: Any, expected: Any) -> tuple[float, str]:
        """Credit from 0 to 1 and feedback for an answer against the expected one."""

    def parse(self, part: PartSpec, raw: str) -> Any:
        _checked_rule(part)
        return self.read(part, raw)

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        _checked_rule(part)
        try:
            answer = self.read(part, raw)
        except AnswerFormatError as error:
            return format_error_result(part, str(error))
        value = reference_value(part, reference)
        if value is None:
            return manual_result(part, NO_REFERENCE_FEEDBACK)
        expected = self.read_reference(part, value)
        credit, feedback = self.score(part, answer, expected)
        if credit < 1.0:
            anticipated = _anticipated_result(part, answer, lambda text: self.read(part, text))
            if anticipated is not None:
                return anticipated
        return credited_result(part, credit, feedback, "exact" if credit >= 1.0 else None)


def _options(part: PartSpec) -> Sequence[str] | None:
    options = part.rule.get("options")
    return [str(option) for option in options] if options else None


class ChoiceMarker(_ChoiceLikeMarker):
    """One option out of several; the reference is the correct option's label."""

    def read(self, part: PartSpec, raw: str) -> str:
        return parse_label(raw, _options(part))

    def read_reference(self, part: PartSpec, value: Any) -> str:
        return normalise_label(str(value))

    def score(self, part: PartSpec, answer: str, expected: str) -> tuple[float, str]:
        return (1.0, "Correct.") if answer == expected else (0.0, "Incorrect.")


class MultiMarker(_ChoiceLikeMarker):
    """Several options may be right; scored all-or-nothing, net-correct or per option."""

    def read(self, part: PartSpec, raw: str) -> list[str]:
        return parse_labels(raw, _options(part) or [])

    def read_reference(self, part: PartSpec, value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
        return sorted({normalise_label(str(item)) for item in items})

    def score(self, part: PartSpec, answer: list[str], expected: list[str]) -> tuple[float, str]:
        chosen, right = set(answer), set(expected)
        if chosen == right:
            return 1.0, "Correct."
        mode = part.rule.get("scoring", "all_or_nothing")
        if mode == "net_correct" and right:
            credit = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
        elif mode == "each_answer":
            options = {normalise_label(o) for o in _options(part) or []}
            credit = sum((o in chosen) == (o in right) for o in options) / len(options)
        else:
            credit = 0.0
        return credit, PARTIAL_FEEDBACK if credit > 0 else "Incorrect."


class TrueFalseMarker(_ChoiceLikeMarker):
    """A statement judged TRUE or FALSE; the reference is a bool or 'T'/'F'."""

    def read(self, part: PartSpec, raw: str) -> bool:
        return parse_truth(raw)

    def read_reference(self, part: PartSpec, value: Any) -> bool:
        return value if isinstance(value, bool) else parse_truth(str(value))

    def score(self, part: PartSpec, answer: bool, expected: bool) -> tuple[float, str]:
        return (1.0, "Correct.") if answer == expected else (0.0, "Incorrect.")


class PairMarker(_ChoiceLikeMarker):
    """Two statements judged together: A both true, B only I, C only II, D both false."""

    def read(self, part: PartSpec, raw: str) -> str:
        return parse_pair(raw)

    def read_reference(self, part: PartSpec, value: Any) -> str:
        if isinstance(value, list | tuple):
            truths = tuple(v if isinstance(v, bool) else parse_truth(str(v)) for v in value)
            return next(letter for letter, pair in PAIR_LETTERS.items() if pair == truths)
        return parse_pair(str(value))

    def score(self, part: PartSpec, answer: str, expected: str) -> tuple[float, str]:
        if answer == expected:
            return 1.0, "Correct."
        pairs = zip(PAIR_LETTERS[answer], PAIR_LETTERS[expected], strict=True)
        agreeing = sum(given == right for given, right in pairs)
        if agreeing == 1 and part.rule.get("partial_credit", False):
            return 0.5, "Partly correct: one of the two statements is judged correctly."
        return 0.0, "Incorrect."

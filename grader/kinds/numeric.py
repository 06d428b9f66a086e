"""Marking numbers, integer counts, vectors, matrices and tensors.

Every answer is treated as an array (a number is an array of shape ``()``). Each entry is
compared with the exact reference, the rounded-path reference and the carried-forward
reference, and earns the best credit among the paths it matches. When entries miss, the whole
answer is compared with the author's anticipated answers and with the named mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import AnswerFormatError
from grader.finite import finite_array
from grader.kinds.base import (
    NO_REFERENCE_FEEDBACK,
    credited_result,
    format_error_result,
    manual_result,
    reference_value,
)
from grader.mistakes import (
    MISTAKE_FEEDBACK,
    Mistake,
    candidate_mistakes,
    find_mistakes,
    matches_everywhere,
    mistakes_feedback,
)
from grader.numeric_rule import NumericRule, numeric_rule
from grader.parsing.array import ParsedArray, parse_array
from grader.parsing.number import parse_number
from grader.precision import insufficient_precision, near_miss, swapped_digits
from grader.rules import rounding_decimals
from grader.shapes import SHAPE_MISMATCH_FEEDBACK, check_kind_shape, is_transposed, shapes_fit
from grader.tolerance import Tolerance
from grader.types import PartResult, PartSpec, Reference
from grader.written_figures import WRITTEN_FIGURES_MISTAKE, written_figures_feedback

_COMMA_BETWEEN_DIGITS = re.compile(r"\d,\d")


@dataclass(frozen=True)
class Path:
    """One accepted way of reaching the answer: exact, rounded or carried forward."""

    name: str
    values: np.ndarray
    credit: float


def read_numeric(part: PartSpec, rule: NumericRule, raw: str) -> ParsedArray:
    """Parse a numeric answer of the part's kind, in the rule's notation; raises
    AnswerFormatError.

    Only the kind is checked (see grader.shapes), never the size the reference has.
    """
    if part.kind in ("number", "integer"):
        answer = ParsedArray((), (parse_number(raw, rule.notation),))
    elif part.kind == "vector" and not raw.strip():
        raise AnswerFormatError("the answer is empty; enter a vector such as [1, 2, 3]")
    else:
        answer = parse_array(raw, rule.notation)
    if part.kind == "integer" and not answer.entries[0].value.is_integer():
        raise AnswerFormatError("enter a whole number (such as 45), not a decimal")
    try:
        check_kind_shape(part.kind, answer.shape)
    except AnswerFormatError as error:
        if _COMMA_BETWEEN_DIGITS.search(raw) is None:
            raise
        raise AnswerFormatError(
            f"{error}; if you wrote decimal commas, write decimal points instead (0.25, not "
            "0,25): in an array, commas separate entries"
        ) from None
    return answer


def _shape_mismatch_result(
    part: PartSpec, rule: NumericRule, answer: ParsedArray, exact: np.ndarray
) -> PartResult:
    """No marks for an answer of another shape than the reference; a transpose is named."""
    if (
        rule.mistakes
        and is_transposed(answer.shape, exact.shape)
        and matches_everywhere(answer.values.T, exact, rule.tolerance)
    ):
        return credited_result(
            part, rule.mistake_credit, MISTAKE_FEEDBACK["transpose"], None, ("transpose",)
        )
    return credited_result(part, 0.0, SHAPE_MISMATCH_FEEDBACK, None, ("shape",))


def _as_plain(values: np.ndarray, kind: str) -> Any:
    if kind == "integer":
        return int(values.item())
    return values.tolist() if values.ndim else float(values.item())


def _path_values(raw: Any, shape: tuple[int, ...] | None) -> np.ndarray | None:
    """`raw` as finite floats of `shape` (None: its own shape), or None (see `finite_array`)."""
    values = finite_array(raw)
    if values is None or shape is None:
        return values
    return values.reshape(shape) if values.size == int(np.prod(shape)) else None


def _paths(
    part: PartSpec, rule: NumericRule, reference: Reference, expected: np.ndarray
) -> list[Path]:
    paths = [Path("exact", expected, 1.0)]
    for name, values, credit in (
        ("rounded", reference.rounded, rule.rounded_credit),
        ("carried_forward", reference.carried_forward, rule.carried_forward_credit),
    ):
        if values is not None:
            path_values = _path_values(values.get(part.quantity_name), expected.shape)
            if path_values is None:
                continue
            if name == "carried_forward" and _collapsed(
                path_values, expected, rule.tolerance, part.kind
            ):
                continue
            paths.append(Path(name, path_values, credit))
    return paths


SATURATED_VALUES = (0.0, 1.0, -1.0)


def _collapsed(carried: np.ndarray, exact: np.ndarray, tolerance: Tolerance, kind: str) -> bool:
    """Whether a carried-forward value is trivial: every entry of it is 0 (or, outside
    ``integer`` parts, ±1) to the part's tolerance, while the exact reference is not. A zero
    earlier answer makes every later product, gradient and tanh zero, and a huge one saturates
    a sigmoid or tanh to exactly 1 (so 1 − y², y(1 − y) and y − d become 0 or ±1), without
    any of the step's work; such a value earns nothing (docs/marking.md, "The three paths")."""
    trivial = (0.0,) if kind == "integer" else SATURATED_VALUES

    def all_trivial(values: np.ndarray) -> bool:
        return all(
            any(tolerance.accepts(constant, float(value)) for constant in trivial)
            for value in values.ravel()
        )

    return all_trivial(carried) and not all_trivial(exact)


def _path_feedback(part: PartSpec, name: str, credit: float) -> str:
    if name == "rounded":
        places = rounding_decimals(part)
        precision = f"{places} decimal places" if places is not None else "the asked precision"
        sentence = f"Correct if intermediate results are rounded to {precision}."
    else:
        sentence = "Correct when your own earlier answers are carried forward."
    if credit < 1.0:
        sentence += f" This earns {credit:.0%} of the marks."
    return sentence


def _entry_name(index: tuple[int, ...]) -> str:
    one_based = tuple(i + 1 for i in index)
    if len(index) == 1:
        return f"entry {one_based[0]}"
    if len(index) == 2:
        return f"row {one_based[0]}, column {one_based[1]}"
    return "index (" + ", ".join(str(i) for i in one_based) + ")"


def _join_names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class NumericMarker:
    """Reads and marks number, integer, vector, matrix and tensor parts."""

    def parse(self, part: PartSpec, raw: str) -> Any:
        rule = numeric_rule(part)
        answer = read_numeric(part, rule, raw)
        values = answer.values
        if rule.shape is not None and shapes_fit(part.kind, answer.shape, rule.shape):
            values = values.reshape(rule.shape)
        return _as_plain(values, part.kind)

    def mark(self, part: PartSpec, reference: Reference, raw: str) -> PartResult:
        rule = numeric_rule(part)
        try:
            answer = read_numeric(part, rule, raw)
        except AnswerFormatError as error:
            return format_error_result(part, str(error))
        raw_reference = reference_value(part, reference)
        exact = _path_values(raw_reference, None)
        if exact is None:
            return manual_result(part, NO_REFERENCE_FEEDBACK)
        if part.kind == "number":
            exact = exact.reshape(()) if exact.size == 1 else exact
        if not shapes_fit(part.kind, answer.shape, exact.shape):
            return _shape_mismatch_result(part, rule, answer, exact)
        return _NumericMarking(part, rule, reference, answer, exact).result()


class _NumericMarking:
    """The marking of one numeric answer (kept as an object to share its many inputs)."""

    def __init__(
        self,
        part: PartSpec,
        rule: NumericRule,
        reference: Reference,
        answer: ParsedArray,
        exact: np.ndarray,
    ) -> None:
        self.part = part
        self.rule = rule
        self.reference = reference
        self.entries = answer.entries
        self.values = answer.values.reshape(exact.shape)
        self.exact = exact
        self.paths = _paths(part, rule, reference, exact)

    def result(self) -> PartResult:
        if self.rule.written_sf is not None:
            names = None if self.exact.ndim == 0 else self.entry_name
            wrong = written_figures_feedback(self.entries, self.rule.written_sf, names)
            if wrong is not None:
                return credited_result(self.part, 0.0, wrong, None, (WRITTEN_FIGURES_MISTAKE,))
        credits, matched = self.entry_credits()
        if all(name is not None for name in matched):
            return self.accepted(credits, matched)
        anticipated = self.anticipated()
        if anticipated is not None:
            return anticipated
        mistakes = self.whole_mistakes()
        notes: list[str] = []
        missed = [i for i, name in enumerate(matched) if name is None]
        for flat in missed:
            if insufficient_precision(self.entries[flat], self.references_at(flat), self.tol):
                credits[flat] = self.rule.insufficient_precision_credit
                matched[flat] = "insufficient_precision"
        if any(name == "insufficient_precision" for name in matched):
            notes.append(
                f"Give the answer {self.tol.describe()}: it is right to the precision you "
                "wrote, but that is less precise than the question asks."
            )
        missed = [i for i, name in enumerate(matched) if name is None]
        if mistakes:
            credit = max(self.rule.mistake_credit, self.total(credits))
            names = tuple(m.name for m in mistakes)
            return credited_result(self.part, credit, mistakes_feedback(mistakes), None, names)
        if not missed:
            return credited_result(
                self.part, self.total(credits), " ".join(notes), None, ("insufficient_precision",)
            )
        names, detail = self.describe_misses(missed)
        credit = self.total(credits) if self.rule.per_element_credit else 0.0
        labels = tuple(sorted(set(names)))
        if "insufficient_precision" in matched:
            labels = tuple(sorted({*labels, "insufficient_precision"}))
        return credited_result(self.part, credit, " ".join([detail, *notes]).strip(), None, labels)

    def entry_name(self, flat: int) -> str:
        """How feedback names the entry at a row-major index ("row 1, column 2")."""
        return _entry_name(np.unravel_index(flat, self.exact.shape))

    @property
    def tol(self) -> Tolerance:
        return self.rule.tolerance

    def entry_credits(self) -> tuple[list[float], list[str | None]]:
        """Best path credit per entry (row-major), and the path that earned it."""
        flat_values = self.values.ravel()
        credits = [0.0] * flat_values.size
        matched: list[str | None] = [None] * flat_values.size
        for index, answer in enumerate(flat_values):
            for path in self.paths:
                improves = matched[index] is None or path.credit > credits[index]
                if improves and self.tol.accepts(float(answer), float(path.values.flat[index])):
                    credits[index], matched[index] = path.credit, path.name
        return credits, matched

    def total(self, credits: list[float]) -> float:
        return sum(credits) / len(credits) if self.rule.per_element_credit else min(credits)

    def accepted(self, credits: list[float], matched: list[str | None]) -> PartResult:
        other_paths = sorted({name for name in matched if name and name != "exact"})
        if not other_paths:
            return credited_result(self.part, 1.0, "Correct.", "exact")
        sentences = [_path_feedback(self.part, name, self.credit_of(name)) for name in other_paths]
        return credited_result(
            self.part, self.total(credits), " ".join(sentences), "+".join(other_paths)
        )

    def credit_of(self, name: str) -> float:
        return next(path.credit for path in self.paths if path.name == name)

    def references_at(self, flat: int) -> list[float]:
        return [float(path.values.ravel()[flat]) for path in self.paths]

    def anticipated(self) -> PartResult | None:
        for entry in self.rule.anticipated:
            target = self.anticipated_value(entry)
            if target is not None and matches_everywhere(self.values, target, self.tol):
                return credited_result(
                    self.part,
                    float(entry.get("credit", 0.0)),
                    entry["feedback"],
                    "anticipated",
                )
        return None

    def anticipated_value(self, entry: dict[str, Any]) -> np.ndarray | None:
        if "quantity" in entry:
            return _path_values(self.reference.exact.get(entry["quantity"]), self.exact.shape)
        try:
            if self.exact.ndim == 0:
                return np.asarray(parse_number(str(entry["answer"]), self.rule.notation).value)
            answer = parse_array(str(entry["answer"]), self.rule.notation)
            return _path_values(answer.values, self.exact.shape)
        except AnswerFormatError:
            return None

    def whole_mistakes(self) -> list[Mistake]:
        """The named mistakes explaining the whole answer (see `find_mistakes`), or []."""
        if not self.rule.mistakes:
            return []
        reported = {}
        if self.rule.perturbations:
            reported = (self.reference.alternatives or {}).get(self.part.quantity_name, {})
        right = [path.values for path in self.paths]
        for path in self.paths:
            if path.name == "carried_forward":
                continue
            alternatives = reported if path.name == "exact" else {}
            candidates = candidate_mistakes(
                path.values,
                self.rule.mistake_hints,
                self.reference.exact,
                alternatives,
                right=right,
                tolerance=self.tol,
            )
            mistakes = find_mistakes(self.values, path.values, candidates, self.tol)
            if mistakes:
                return mistakes
        return []

    def describe_misses(self, missed: list[int]) -> tuple[list[str], str]:
        if self.exact.ndim == 0:
            return self.describe_scalar_miss()
        names: list[str] = []
        wrong = [_entry_name(np.unravel_index(i, self.exact.shape)) for i in missed]
        sentences = [
            f"{_join_names(wrong).capitalize()} {'does' if len(wrong) == 1 else 'do'} not agree "
            f"with the expected value {self.tol.describe()} (counting from 1)."
        ]
        if self.rule.mistakes:
            flipped = [
                _entry_name(np.unravel_index(i, self.exact.shape))
                for i in missed
                if any(
                    path.values.ravel()[i] != 0
                    and self.tol.accepts(-float(self.values.ravel()[i]), path.values.ravel()[i])
                    for path in self.paths
                )
            ]
            if flipped:
                names.append("sign")
                sentences.append(f"Sign error in {_join_names(flipped)}.")
        return names, " ".join(sentences)

    def describe_scalar_miss(self) -> tuple[list[str], str]:
        entry = self.entries[0]
        references = self.references_at(0)
        if self.rule.mistakes and swapped_digits(entry, references):
            return ["digit_swap"], (
                "Incorrect, but only two adjacent digits differ in order — check for a typo."
            )
        if self.rule.mistakes and near_miss(entry.value, references, self.tol):
            return ["early_rounding"], (
                "Close, but it does not agree with the expected value "
                f"{self.tol.describe()} — did you round intermediate results too early or too "
                "coarsely?"
            )
        return [], "Incorrect."

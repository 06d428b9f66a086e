"""Named mistakes: wrong answers a careful examiner recognises and names in feedback.

Each mistake is a transformation of the reference (its negative, its transpose, ten times it,
the same formula evaluated in degrees…); an answer that matches the transformed reference
within the part's tolerance is said to have made that mistake. Feedback names the kind of
mistake and never states the expected value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.finite import finite_array
from grader.numeric_rule import numeric_rule
from grader.tolerance import Tolerance
from grader.types import PartSpec, Reference

MISTAKE_FEEDBACK: dict[str, str] = {
    "sign": "Sign error: your answer is the negative of the expected value.",
    "transpose": "Your matrix is the transpose of the expected one — check rows against columns.",
    "double": "Your answer is twice the expected value — look for a factor of 2.",
    "half": "Your answer is half the expected value — look for a missing factor of 2.",
    "percent": "You gave a percentage; give the value as a fraction (e.g. 0.25 rather than 25).",
    "fraction": "You gave a fraction; give the value as a percentage (e.g. 25 rather than 0.25).",
    "log10_for_ln": "It looks like log10 was used where the natural logarithm ln is needed.",
    "log2_for_ln": "It looks like log2 was used where the natural logarithm ln is needed.",
    "ln_for_log10": "It looks like ln was used where log10 is needed.",
    "ln_for_log2": "It looks like ln was used where log2 is needed.",
    "degrees": "It looks like your calculator was in degree mode; the angle here is in radians.",
}
POWERS_OF_TEN = tuple(k for k in range(-6, 7) if k != 0)
MAX_NAMED_TOGETHER = 2
AT_THE_ANSWER = frozenset({"sign", "transpose"})


@dataclass(frozen=True)
class Mistake:
    """A named mistake: the answer is ``factor`` times the reference (or its transpose), or,
    for mistakes that cannot be undone by scaling, equals a given wrong ``value``."""

    name: str
    feedback: str
    factor: float = 1.0
    transposed: bool = False
    value: np.ndarray | None = None
    specific: bool = False
    """From the solver or an author's hint (not a generic sign, transpose or scaling)."""

    def explains(self, answer: np.ndarray, reference: np.ndarray, tolerance: Tolerance) -> bool:
        """True when the answer is right once this mistake is undone.

        Scaling mistakes are undone on the answer (``answer / factor`` against the reference),
        so the band keeps the precision the student wrote. A wrong ``value`` that cannot be
        told apart from zero wherever it is non-zero (e.g. sin of a tiny angle at 2 d.p.) is
        never named: it would explain any answer of 0.
        """
        if self.value is not None:
            return (
                self.value.shape == answer.shape
                and _distinguishable(self.value, tolerance)
                and matches_everywhere(answer, self.value, tolerance)
            )
        with np.errstate(over="ignore"):
            undone = answer / self.factor
        if self.transposed:
            undone = undone.T
        return undone.shape == reference.shape and matches_everywhere(undone, reference, tolerance)


def _power_of_ten_feedback(power: int) -> str:
    direction = "too large" if power > 0 else "too small"
    return (
        f"Your answer is {10 ** abs(power):,} times {direction} — check units and the position "
        "of the decimal point."
    )


def _scaling_mistakes(reference: np.ndarray, hints: Mapping[str, Any]) -> list[Mistake]:
    mistakes = [
        Mistake("double", MISTAKE_FEEDBACK["double"], factor=2.0),
        Mistake("half", MISTAKE_FEEDBACK["half"], factor=0.5),
    ]
    percent_named: int | None = None
    if hints.get("percent"):
        mistakes.append(Mistake("fraction", MISTAKE_FEEDBACK["fraction"], factor=0.01))
        percent_named = -2
    elif np.all(np.abs(reference) <= 1.0):
        mistakes.append(Mistake("percent", MISTAKE_FEEDBACK["percent"], factor=100.0))
        percent_named = 2
    for power in POWERS_OF_TEN:
        if power == percent_named:
            continue
        mistakes.append(
            Mistake(f"power_of_ten_{power}", _power_of_ten_feedback(power), factor=10.0**power)
        )
    return mistakes


def _log_mistakes(base: str) -> list[Mistake]:
    ln10, ln2 = math.log(10.0), math.log(2.0)
    factors = {
        "ln": (("log10_for_ln", 1 / ln10), ("log2_for_ln", 1 / ln2)),
        "log10": (("ln_for_log10", ln10),),
        "log2": (("ln_for_log2", ln2),),
    }[base]
    return [
        Mistake(name, MISTAKE_FEEDBACK[name], factor=factor, specific=True)
        for name, factor in factors
    ]


_TRIG: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
}


def _degree_mistake(
    reference: np.ndarray, hint: Mapping[str, Any], exact: Mapping[str, Any]
) -> list[Mistake]:
    argument = hint["argument"]
    angle = finite_array(exact.get(argument) if isinstance(argument, str) else argument)
    if angle is None:
        return []
    try:
        value = np.broadcast_to(_TRIG[hint["function"]](np.deg2rad(angle)), reference.shape)
    except ValueError:
        return []
    return [Mistake("degrees", MISTAKE_FEEDBACK["degrees"], value=np.array(value), specific=True)]


def _reported_mistakes(
    reference: np.ndarray,
    alternatives: Mapping[str, Any],
    right: Sequence[np.ndarray],
    tolerance: Tolerance | None,
) -> list[Mistake]:
    """The solver's alternatives as mistakes, leaving out any that `tolerance` accepts against
    a right value (`right`) in every entry: such an alternative is correct, not a mistake.

    Each alternative is a value, or a mapping with ``value`` (exact path), optionally
    ``rounded`` (the same mistake on the rounded path) and ``feedback`` (its own sentence).
    """
    mistakes = []
    for name, raw in alternatives.items():
        entry = raw if isinstance(raw, Mapping) else {"value": raw}
        feedback = entry.get("feedback") or MISTAKE_FEEDBACK.get(
            name, f"Your answer matches a known mistake ({name.replace('_', ' ')})."
        )
        for key in ("value", "rounded"):
            value = _alternative_values(entry.get(key), reference.shape)
            if value is None:
                continue
            if tolerance is not None and any(
                r.shape == value.shape and matches_everywhere(value, r, tolerance) for r in right
            ):
                continue
            mistakes.append(Mistake(name, feedback, value=value, specific=True))
    return mistakes


def _alternative_values(raw: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The alternative as an array of the reference's shape, or None when it has another
    shape (a transposed chain's quantity is not reshaped into the reference's)."""
    value = finite_array(raw)
    if value is None:
        return None
    if value.shape == shape:
        return value
    if value.size == int(np.prod(shape)) and np.squeeze(value).shape == tuple(
        n for n in shape if n != 1
    ):
        return value.reshape(shape)
    return None


def candidate_mistakes(
    reference: np.ndarray,
    hints: Mapping[str, Any],
    exact: Mapping[str, Any],
    alternatives: Mapping[str, Any],
    *,
    right: Sequence[np.ndarray] = (),
    tolerance: Tolerance | None = None,
) -> list[Mistake]:
    """Every named mistake worth checking for this reference, most specific first: the
    solver's alternatives (minus those right within `tolerance` against a value of `right`),
    the author's hints, then the generic sign, transpose and scaling mistakes."""
    mistakes = _reported_mistakes(reference, alternatives, right, tolerance)
    if "angle" in hints:
        mistakes += _degree_mistake(reference, hints["angle"], exact)
    if "log" in hints:
        mistakes += _log_mistakes(hints["log"])
    if np.any(reference != 0):
        mistakes.append(Mistake("sign", MISTAKE_FEEDBACK["sign"], factor=-1.0))
    square = reference.ndim == 2 and reference.shape[0] == reference.shape[1]
    if square and not np.array_equal(reference, reference.T):
        mistakes.append(Mistake("transpose", MISTAKE_FEEDBACK["transpose"], transposed=True))
    if np.any(reference != 0):
        mistakes += _scaling_mistakes(reference, hints)
    return mistakes


def matches_everywhere(answer: np.ndarray, target: np.ndarray, tolerance: Tolerance) -> bool:
    """True when every entry of ``answer`` is accepted against the same entry of ``target``."""
    return all(
        tolerance.accepts(float(a), float(t))
        for a, t in zip(answer.ravel(), target.ravel(), strict=True)
    )


def find_mistakes(
    answer: np.ndarray, reference: np.ndarray, candidates: list[Mistake], tolerance: Tolerance
) -> list[Mistake]:
    """The named mistakes that explain the whole answer, first one first.

    When the first is specific (from the solver or a hint), the others of other names that also
    explain the answer are named with it (up to MAX_NAMED_TOGETHER in all) if they are specific
    too or a perturbation made at the answer itself (AT_THE_ANSWER): a sign flipped at an
    intermediate that only negates the answer is named beside the plain sign error, while a
    scaling that merely restates the specific mistake (half the value) is not. A generic first
    mistake is named alone. When more than MAX_NAMED_TOGETHER specific mistakes explain the
    answer, none of them can be told to be the cause, so none is named (only a generic one
    may be).
    """
    last_specific = max((i for i, m in enumerate(candidates) if m.specific), default=-1)
    explaining: list[Mistake] = []
    for index, mistake in enumerate(candidates):
        if index > last_specific and _settled(explaining):
            break
        if any(found.name == mistake.name for found in explaining):
            continue
        if mistake.explains(answer, reference, tolerance):
            explaining.append(mistake)
    if sum(mistake.specific for mistake in explaining) > MAX_NAMED_TOGETHER:
        explaining = [mistake for mistake in explaining if not mistake.specific]
    if not explaining:
        return []
    first, others = explaining[0], explaining[1:]
    if not first.specific:
        return [first]
    together = [m for m in others if m.specific or m.name in AT_THE_ANSWER]
    return [first, *together][:MAX_NAMED_TOGETHER]


def _settled(explaining: Sequence[Mistake]) -> bool:
    """Whether, with only generic candidates left, the outcome of find_mistakes is fixed: a
    generic mistake named alone is found, MAX_NAMED_TOGETHER mistakes to name together are, or
    more specific ones than that were set aside and a generic one is found to name alone."""
    specific = sum(mistake.specific for mistake in explaining)
    generic = len(explaining) - specific
    if specific == 0 or specific > MAX_NAMED_TOGETHER:
        return generic > 0
    named = sum(mistake.specific or mistake.name in AT_THE_ANSWER for mistake in explaining)
    return named >= MAX_NAMED_TOGETHER


def mistakes_feedback(mistakes: Sequence[Mistake]) -> str:
    """One mistake's feedback, or the feedback of several joined honestly."""
    if len(mistakes) == 1:
        return mistakes[0].feedback
    return "More than one mistake gives your answer. " + " Or: ".join(m.feedback for m in mistakes)


def alternative_is_right(part: PartSpec, reference: Reference, value: Any) -> bool:
    """Whether the part's tolerance accepts `value` (a solver alternative for the part's
    quantity) against its exact or rounded reference in every entry, so it must never be
    named as a mistake. Raises RuleError when the part's rule is broken, and ValueError when
    `value` is not a finite numeric value (see `finite_array`)."""
    tolerance = numeric_rule(part).tolerance
    candidate = finite_array(value)
    if candidate is None:
        raise ValueError("the alternative is not a finite numeric value")
    for values in (reference.exact, reference.rounded or {}):
        right = finite_array(values.get(part.quantity_name))
        if right is None:
            continue
        if right.size == candidate.size and matches_everywhere(
            candidate.reshape(right.shape), right, tolerance
        ):
            return True
    return False


def _distinguishable(value: np.ndarray, tolerance: Tolerance) -> bool:
    return not any(tolerance.accepts(0.0, float(v)) for v in value.ravel() if v != 0)

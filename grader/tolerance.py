"""Accepted bands around a reference value: decimal places, significant figures, abs and rel.

A tolerance accepts an answer ``x`` for a reference ``ref`` when ``x`` lies inside *any* of the
bands it names (see docs/marking.md for worked examples):

* ``dp = k``:  ``|x - r| <= h + eps(|r| + h)`` with ``h = 0.5 * 10**-k``, where ``r`` is ``ref``
  rounded to ``k`` decimal places (at an exact tie both neighbours count as ``r``);
* ``sf = n``:  ``|x - r| <= h + eps(r)`` with ``h = 0.5 * 10**(E - n + 1)``, where ``r`` is
  ``ref`` rounded to ``n`` significant figures and ``E`` is the order of magnitude of the
  *unrounded* ``ref`` (so 0.09996 at 3 s.f. gives ``r = 0.1`` but ``h = 0.00005``);
  ``ref = 0`` accepts only 0;
* ``abs = a`` / ``rel = q``:  ``|x - ref| <= max(a, q * |ref|) + eps(ref)``; with neither (an
  exact rule, the default of ``integer`` parts) two whole numbers must be equal, so 10**13 + 10
  is not 10**13;

with ``eps(v) = 1e-12 * |v|``, which absorbs binary floating-point error only. It is relative
to the magnitude of the value it is added to, so it never accepts 0 for a tiny reference; the
only absolute widths are those an author asks for (``dp`` and ``abs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

EPSILON_SCALE = 1e-12
DECIMAL_PRECISION = 700


def epsilon(value: float) -> float:
    """Slack added to a band edge so that binary rounding of decimals never decides.

    It is ``1e-12 * |value|``: relative to the magnitude the band is centred on, and 0 at 0.
    """
    return EPSILON_SCALE * abs(value)


def order_of_magnitude(value: float) -> int:
    """``floor(log10(|value|))`` of a non-zero value, exact for its shortest decimal form.

    Computed on the decimal digits, so 1000 gives 3 and 0.09996 gives -2 without the error
    of a floating-point logarithm.
    """
    return Decimal(repr(float(value))).adjusted()


def round_decimal_places(value: float, places: int) -> set[float]:
    """``value`` rounded to ``places`` decimals; two results only at an exact decimal tie."""
    exact = Decimal(repr(float(value)))
    quantum = Decimal(1).scaleb(-places)
    with localcontext(prec=DECIMAL_PRECISION):
        return {
            float(exact.quantize(quantum, rounding=mode))
            for mode in (ROUND_HALF_UP, ROUND_HALF_DOWN)
        }


def round_significant(value: float, figures: int) -> set[float]:
    """``value`` rounded to ``figures`` significant figures (both neighbours at a tie)."""
    if value == 0:
        return {0.0}
    return round_decimal_places(value, figures - 1 - order_of_magnitude(value))


def significant_half_unit(value: float, figures: int) -> float:
    """Half a unit in the last of ``figures`` significant places of ``value`` as it stands.

    Pass the *unrounded* reference: 0.09996 at 3 s.f. gives 0.00005, although it rounds to
    0.100 (whose own half-unit would be ten times wider). 0 gives 0.
    """
    if value == 0:
        return 0.0
    return 0.5 * 10.0 ** (order_of_magnitude(value) - figures + 1)


@dataclass(frozen=True)
class Tolerance:
    """The bands an answer may fall in; with no band set only an exact match is accepted."""

    dp: int | None = None
    sf: int | None = None
    absolute: float = 0.0
    relative: float = 0.0

    @classmethod
    def from_rule(cls, spec: Mapping[str, Any], default: Tolerance) -> Tolerance:
        """Build from a rule's ``tolerance`` mapping (``dp``, ``sf``, ``abs``, ``rel``)."""
        if not spec:
            return default
        return cls(
            dp=spec.get("dp"),
            sf=spec.get("sf"),
            absolute=float(spec.get("abs", 0.0)),
            relative=float(spec.get("rel", 0.0)),
        )

    def accepts(self, answer: float, reference: float) -> bool:
        """True when ``answer`` lies inside any band of this tolerance around ``reference``."""
        if self.dp is not None and within_decimal_places(answer, reference, self.dp):
            return True
        if self.sf is not None and within_significant_figures(answer, reference, self.sf):
            return True
        allowed = max(self.absolute, self.relative * abs(reference))
        if allowed == 0 and float(reference).is_integer() and float(answer).is_integer():
            return answer == reference
        return abs(answer - reference) <= allowed + epsilon(reference)

    def describe(self) -> str:
        """The accepted precision as an adverbial phrase: 'to 2 d.p.', 'within 0.1%',
        'to 3 s.f. or within ±0.01', or 'exactly'; it completes "agrees with the expected
        value …" and "give the answer …"."""
        pieces = []
        if self.dp is not None:
            pieces.append(f"to {self.dp} d.p.")
        if self.sf is not None:
            pieces.append(f"to {self.sf} s.f.")
        if self.absolute:
            pieces.append(f"within ±{self.absolute:g}")
        if self.relative:
            pieces.append(f"within {self.relative * 100:g}%")
        return " or ".join(pieces) if pieces else "exactly"


def within_decimal_places(answer: float, reference: float, places: int) -> bool:
    """The ``dp`` band: ``answer`` rounds to the same ``places``-decimal value as ``reference``."""
    half_unit = 0.5 * 10.0**-places
    return any(
        abs(answer - rounded) <= half_unit + epsilon(abs(rounded) + half_unit)
        for rounded in round_decimal_places(reference, places)
    )


def within_significant_figures(answer: float, reference: float, figures: int) -> bool:
    """The ``sf`` band: ``answer`` agrees with ``reference`` to ``figures`` significant figures.

    The half-unit comes from the unrounded reference, so a reference that rounds up to the
    next power of ten (0.09996 → 0.100) keeps its own, narrower band.
    """
    half_unit = significant_half_unit(reference, figures)
    return any(
        abs(answer - rounded) <= half_unit + epsilon(rounded)
        for rounded in round_significant(reference, figures)
    )

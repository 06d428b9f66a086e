"""One marker per answer kind; ``code`` parts are marked elsewhere and have none."""

from __future__ import annotations

from grader.kinds.base import KindMarker
from grader.kinds.choice import ChoiceMarker, MultiMarker, PairMarker, TrueFalseMarker
from grader.kinds.formula import FormulaMarker
from grader.kinds.numeric import NumericMarker
from grader.kinds.tensor_shape import TensorShapeMarker
from grader.kinds.text import TextMarker

_NUMERIC = NumericMarker()

MARKERS: dict[str, KindMarker] = {
    "number": _NUMERIC,
    "integer": _NUMERIC,
    "vector": _NUMERIC,
    "matrix": _NUMERIC,
    "tensor": _NUMERIC,
    "tensor_shape": TensorShapeMarker(),
    "formula": FormulaMarker(),
    "choice": ChoiceMarker(),
    "multi": MultiMarker(),
    "truefalse": TrueFalseMarker(),
    "pair": PairMarker(),
    "text": TextMarker(),
}
SKIPPED_KINDS = frozenset({"code"})
UNCHECKED_KINDS = frozenset({"text", "code"})

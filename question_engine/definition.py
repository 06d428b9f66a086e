"""Plain data describing a loaded question folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader

ANSWER_KINDS = (
    "number",
    "integer",
    "vector",
    "matrix",
    "tensor",
    "tensor_shape",
    "formula",
    "choice",
    "multi",
    "truefalse",
    "pair",
    "text",
    "code",
)
MANUAL_KINDS = ("text",)
CODE_KINDS = ("code",)
PART_STATUSES = (
    "correct",
    "partially_correct",
    "incorrect",
    "format_error",
    "needs_manual",
    "unanswered",
)


@dataclass(frozen=True)
class PartDefinition:
    """One answerable part as written in question.toml."""

    label: str
    source_part: str
    marks: float
    kind: str
    prompt: str
    quantity: str
    rule: dict[str, Any] = field(default_factory=dict)
    model_answer: str = ""
    rubric: str = ""
    self_assessment: bool = False
    """Free text only: in practice, once the worked solution is shown, the student may mark
    the answer themselves against the model answer and rubric (until an instructor marks it)."""

    @property
    def auto_marked(self) -> bool:
        """Whether the solver computes a reference for this part.

        Free text is marked by hand; code parts are marked by running tests
        (`question_engine.code_runs`).
        """
        return self.kind not in MANUAL_KINDS and self.kind not in CODE_KINDS

    def spec(self) -> grader.PartSpec:
        return grader.PartSpec(
            label=self.label,
            kind=self.kind,
            marks=self.marks,
            rule=self.rule,
            quantity=self.quantity,
        )


@dataclass(frozen=True)
class Sample:
    """An answer set from samples.toml with the status each part must get."""

    name: str
    seed: int | None
    paper: bool
    answers: dict[str, str]
    expect: dict[str, str]


@dataclass(frozen=True)
class PerturbationSettings:
    """question.toml's ``[perturbations]`` table: which perturbed solver runs are left out
    (``off``: families or single perturbations, e.g. ``"sign"`` or ``"round_2dp:u3"``) and the
    phrases that name the author's own ``r.slip`` and ``r.optional`` terms in feedback."""

    off: tuple[str, ...] = ()
    slips: Mapping[str, str] = field(default_factory=dict)
    optional: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON (how a question version stores them)."""
        return {"off": list(self.off), "slips": dict(self.slips), "optional": dict(self.optional)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PerturbationSettings:
        """Settings from `as_dict`'s JSON; None or {} gives the defaults."""
        data = data or {}
        return cls(
            off=tuple(data.get("off", ())),
            slips=dict(data.get("slips", {})),
            optional=dict(data.get("optional", {})),
        )


@dataclass(frozen=True)
class QuestionDefinition:
    """Everything in one `bank/<slug>/` folder, loaded and checked for shape."""

    slug: str
    path: Path
    title: str
    topic: str
    tags: list[str]
    source: str
    notes: str
    parts: list[PartDefinition]
    statement_template: str
    solution_template: str
    code: str
    paper_params: dict[str, Any] | None
    samples: list[Sample]
    content_hash: str
    perturbations: PerturbationSettings = field(default_factory=PerturbationSettings)
    quantity_feeds: dict[str, list[str]] | None = None
    """Per asked quantity, the other numeric parts' quantities computed from it
    (`question_engine.feeds`), as recorded when the version was synced; None when unknown
    (a folder read from disk, a version synced before it was recorded)."""

    def part_specs(self) -> list[grader.PartSpec]:
        return [part.spec() for part in self.parts]

    def part(self, label: str) -> PartDefinition:
        for part in self.parts:
            if part.label == label:
                return part
        raise KeyError(f"question {self.slug!r} has no part {label!r}")

    @property
    def total_marks(self) -> float:
        return sum(part.marks for part in self.parts)

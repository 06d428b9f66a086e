"""Tensorgrade's question bank: question folders and the plain functions that use them.

No Django imports. Question code (generate/solve) runs only in the sandbox.
"""

from question_engine.author_store import (
    StoredAuthorRuns,
    StoredRunsError,
    array_hashes,
    author_runs_from_plain,
    variant_author_runs,
)
from question_engine.choice_options import CHOICE_KINDS, part_options
from question_engine.code_runs import AuthorRuns, mark_code_part, run_visible_tests
from question_engine.definition import (
    PartDefinition,
    PerturbationSettings,
    QuestionDefinition,
    Sample,
)
from question_engine.errors import BankError, QuestionRunError
from question_engine.loader import discover_questions, load_question
from question_engine.part_names import part_display_names
from question_engine.render import render_markdown
from question_engine.validation import validate_question
from question_engine.variants import (
    VariantBuild,
    build_variant,
    build_variants,
    carried_forward_values,
    marking_values,
)

__all__ = [
    "CHOICE_KINDS",
    "AuthorRuns",
    "BankError",
    "PartDefinition",
    "PerturbationSettings",
    "QuestionDefinition",
    "QuestionRunError",
    "Sample",
    "StoredAuthorRuns",
    "StoredRunsError",
    "array_hashes",
    "author_runs_from_plain",
    "VariantBuild",
    "build_variant",
    "build_variants",
    "carried_forward_values",
    "discover_questions",
    "part_display_names",
    "load_question",
    "mark_code_part",
    "marking_values",
    "part_options",
    "render_markdown",
    "run_visible_tests",
    "validate_question",
    "variant_author_runs",
]

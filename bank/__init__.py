"""Tensorgrade's question bank: question folders and the plain functions that use them.

No Django imports. Question code (generate/solve) runs only in the sandbox.
"""

from bank.code_runner import mark_code_part, run_visible_tests
from bank.definition import PartDefinition, QuestionDefinition, Sample
from bank.errors import BankError, QuestionRunError
from bank.loader import discover_questions, load_question
from bank.render import render_markdown
from bank.validation import validate_question
from bank.variants import VariantBuild, build_variant, build_variants, carried_forward_values

__all__ = [
    "BankError",
    "PartDefinition",
    "QuestionDefinition",
    "QuestionRunError",
    "Sample",
    "VariantBuild",
    "build_variant",
    "build_variants",
    "carried_forward_values",
    "discover_questions",
    "load_question",
    "mark_code_part",
    "render_markdown",
    "run_visible_tests",
    "validate_question",
]

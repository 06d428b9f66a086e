"""Marking code parts: comparing plain harness outputs with the reference's, outside the sandbox.

Nothing here runs submitted code; `question_engine.code_runs` runs it in the sandbox and hands the
plain results (`CodeRun`) to `mark_code_tests`.
"""

from grader.code.compare import compare_outputs, values_message
from grader.code.runs import CodeRun, error_text
from grader.code.scoring import ReferenceRunError, WrongRun, mark_code_tests
from grader.code.spec import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    CodeSpecError,
    CodeTest,
    parse_code_tests,
)
from grader.code.syntax import syntax_problem

__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "CodeRun",
    "CodeSpecError",
    "CodeTest",
    "ReferenceRunError",
    "WrongRun",
    "compare_outputs",
    "error_text",
    "mark_code_tests",
    "parse_code_tests",
    "syntax_problem",
    "values_message",
]

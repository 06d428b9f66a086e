"""The syntax check done when code is posted: no execution, line numbers, a length cap."""

from grader import PartSpec, check_format
from grader.code import syntax_problem


def test_valid_code_passes():
    assert syntax_problem("import torch\n\ndef f(x):\n    return x\n") is None


def test_syntax_error_names_line_and_code():
    problem = syntax_problem("x = 1\ndef f(:\n    pass\n")
    assert problem.startswith("line 2, column 7 (`def f(:`)")


def test_length_is_capped():
    assert "the limit is 10" in syntax_problem("x = 1  # long\n", max_chars=10)


def test_check_format_reports_code_parts_with_syntax_errors_only():
    parts = [PartSpec("impl", "code", 4), PartSpec("other", "code", 4)]
    errors = check_format(parts, {"impl": "return (", "other": "def f():\n    return 1\n"})
    assert list(errors) == ["impl"] and errors["impl"].startswith("line 1")

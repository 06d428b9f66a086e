"""Error lines for the code editor: only the student's own lines, never from hidden tests."""

from grader import PartSpec, code_error_lines
from grader.code import CodeRun, mark_code_tests, parse_code_tests
from grader.code.runs import error_lines
from grader.code.syntax import syntax_error_lines

TESTS = parse_code_tests(
    [
        {"name": "values", "points": 2, "check": "forward"},
        {"name": "shapes", "points": 1, "check": "forward"},
        {"name": "secret", "points": 1, "check": "forward", "visibility": "hidden"},
    ]
)
OK = {"observed": {"outputs": [{"type": "float", "value": 1.0}]}}
REFERENCE = CodeRun(tests={"values": OK, "shapes": OK, "secret": OK})


def raised(kind: str, message: str, line: int) -> dict:
    return {"error": {"type": kind, "message": message, "line": line, "code_line": "x"}}


def test_visible_tests_errors_give_their_lines_and_hidden_tests_never_do():
    student = CodeRun(
        tests={
            "values": raised("ValueError", "bad axis", 4),
            "shapes": raised("ValueError", "bad axis", 4),
            "secret": raised("ZeroDivisionError", "division by zero", 9),
        }
    )
    result = mark_code_tests("impl", 4, TESTS, student, REFERENCE)
    assert result.error_lines == (
        {
            "line": 4,
            "message": "test `values`: ValueError: bad axis\ntest `shapes`: ValueError: bad axis",
        },
    )
    assert result.as_dict()["error_lines"] == [dict(result.error_lines[0])]
    visible_run = mark_code_tests("impl", 4, TESTS, student, REFERENCE, visible_only=True)
    assert [error["line"] for error in visible_run.error_lines] == [4]


def test_a_load_error_gives_its_line_once():
    student = CodeRun(load_error={"type": "ModuleNotFoundError", "message": "no jax", "line": 2})
    result = mark_code_tests("impl", 4, TESTS, student, REFERENCE)
    assert result.status == "format_error"
    assert result.error_lines == (
        {"line": 2, "message": "while loading: ModuleNotFoundError: no jax"},
    )


def test_errors_without_a_line_of_the_submission_give_none():
    run = CodeRun(
        tests={
            "values": {"error": {"type": "RuntimeError", "message": "in torch", "line": None}},
            "shapes": {"failure": "Test `shapes` ran past its 10 s budget."},
            "secret": {"error": {"type": "X", "message": "", "line": True}},
        }
    )
    assert error_lines(run, ["values", "shapes", "secret"]) == []


def test_lines_are_sorted_and_a_passing_run_has_none():
    run = CodeRun(tests={"values": raised("KeyError", "'a'", 7), "shapes": raised("E", "", 3)})
    assert error_lines(run, ["values", "shapes"]) == [
        {"line": 3, "message": "test `shapes`: E"},
        {"line": 7, "message": "test `values`: KeyError: 'a'"},
    ]
    assert mark_code_tests("impl", 4, TESTS, REFERENCE, REFERENCE).error_lines == ()


def test_syntax_errors_give_their_line():
    assert syntax_error_lines("def f(:\n    pass\n") == [
        {"line": 1, "message": "SyntaxError: invalid syntax"}
    ]
    assert syntax_error_lines("def f():\nreturn 1\n")[0]["line"] == 2
    assert syntax_error_lines("def f():\n    return 1\n") == []
    assert syntax_error_lines("x = 1\x00") == []


def test_code_error_lines_names_only_code_parts_that_do_not_parse():
    parts = [
        PartSpec(label="a", kind="code", marks=1.0),
        PartSpec(label="b", kind="code", marks=1.0),
        PartSpec(label="c", kind="numeric", marks=1.0),
    ]
    found = code_error_lines(parts, {"a": "x = (1\n", "b": "x = 1\n", "c": "(("})
    assert list(found) == ["a"]
    assert found["a"][0]["line"] == 1

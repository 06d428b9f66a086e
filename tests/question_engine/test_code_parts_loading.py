"""Loading `[parts.code]` tables: files inlined into the rule, clear errors, rendered tests."""

from __future__ import annotations

import pytest

from question_engine import BankError, load_question
from question_engine.code_parts import code_part

CODE_PART = """
[[parts]]
label = "impl"
marks = 4
kind = "code"
prompt = "Write `double(x)`."

[parts.code]
entry = "double"
starter = "starter.py.jinja"
reference = "reference.py"
solution = "reference.py"
tests = "tests.toml"
{extra}
"""
FILES = {
    "starter.py.jinja": "def double(x):\n    # multiply by {{ factor }}\n    ...\n",
    "reference.py": "def double(x):\n    return 2 * x\n",
    "tests.toml": (
        '[[tests]]\nname = "values"\npoints = 1\ncheck = "forward"\n'
        "args = [{ tensor = { shape = [{{ size }}] } }]\n"
    ),
    "wrong/add.py": "def double(x):\n    return x + 2\n",
}


def make_code_question(make_question, minimal_files, extra="", drop=()):
    toml = minimal_files["question.toml"] + CODE_PART.format(extra=extra)
    files = {"question.toml": toml, **{k: v for k, v in FILES.items() if k not in drop}}
    folder = make_question(files={k: v for k, v in files.items() if "/" not in k})
    for name, text in files.items():
        if "/" in name:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
    return folder


def test_files_are_inlined_and_the_starter_joins_the_prompt(make_question, minimal_files):
    extra = '[[parts.code.wrong]]\nfile = "wrong/add.py"\nhint = "Multiply."\nfails = ["values"]'
    q = load_question(make_code_question(make_question, minimal_files, extra))
    part = q.part("impl")
    assert part.rule["code"]["reference"] == FILES["reference.py"]
    assert part.rule["code"]["wrong"][0]["name"] == "add"
    assert "multiply by {{ factor }}" in part.prompt
    assert not part.auto_marked
    code = code_part(q, "impl")
    assert code.starter({"factor": 2}).startswith("def double(x):\n    # multiply by 2")
    (test,) = code.tests({"size": 5})
    assert test.raw["args"] == [{"tensor": {"shape": [5]}}]
    assert [w.name for w in code.wrong_for([test])] == ["add"]


@pytest.mark.parametrize(
    ("extra", "drop", "message"),
    [
        ("", ("reference.py",), "file 'reference.py' does not exist"),
        ("colour = 1", (), "unknown field"),
        ("time_limit_s = 0", (), "time_limit_s must be in"),
        ('[[parts.code.wrong]]\nfile = "wrong/add.py"\nhint = "x"', (), "fails must list"),
    ],
)
def test_bad_code_tables_are_rejected(make_question, minimal_files, extra, drop, message):
    with pytest.raises(BankError, match=message):
        load_question(make_code_question(make_question, minimal_files, extra, drop))


def test_paths_outside_the_folder_are_refused(make_question, minimal_files):
    folder = make_code_question(make_question, minimal_files)
    toml = (folder / "question.toml").read_text().replace('"reference.py"', '"../x.py"', 1)
    (folder / "question.toml").write_text(toml)
    with pytest.raises(BankError, match="must be a path inside the question folder"):
        load_question(folder)


def test_only_code_parts_take_a_code_table(make_question, minimal_files):
    toml = minimal_files["question.toml"].replace(
        "rule = { tolerance = { dp = 2 } }",
        'rule = { tolerance = { dp = 2 } }\ncode = { entry = "f" }',
    )
    with pytest.raises(BankError, match="only parts of kind 'code'"):
        load_question(make_question(files={"question.toml": toml}))


def test_tests_that_do_not_render_to_valid_specs_are_reported(make_question, minimal_files):
    q = load_question(make_code_question(make_question, minimal_files))
    with pytest.raises(BankError, match="tests file is not valid TOML once rendered"):
        code_part(q, "impl").tests({"size": "[1, 2]]"})
    tests = (q.path / "tests.toml").read_text().replace("points = 1", "points = -1")
    (q.path / "tests.toml").write_text(tests)
    with pytest.raises(BankError, match="tests: test 'values': points must be a positive"):
        code_part(load_question(q.path), "impl").tests({"size": 3})


def test_the_starter_block_is_taken_off_a_rendered_prompt_only_when_it_is_the_starter():
    from question_engine.code_parts import prompt_without_starter

    starter = "def double(x):\n    # multiply by 2\n    ...\n"
    prompt = f"Write `double(x)`.\n\nStarter code:\n\n```python\n{starter}```"
    assert prompt_without_starter(prompt, starter) == "Write `double(x)`.\n"
    assert prompt_without_starter(prompt + "\n", starter) == "Write `double(x)`.\n"
    assert prompt_without_starter(prompt, "def other():\n    ...\n") == prompt
    assert prompt_without_starter("Write `double(x)`.", starter) == "Write `double(x)`."


def test_a_variants_tests_are_parsed_once_per_tests_file_and_params(
    make_question, minimal_files, monkeypatch
):
    code = code_part(load_question(make_code_question(make_question, minimal_files)), "impl")
    parsed = []
    original = type(code)._parsed_tests
    monkeypatch.setattr(
        type(code),
        "_parsed_tests",
        lambda self, params: parsed.append(params) or original(self, params),
    )
    first = code.tests({"size": 4})
    first.clear()  # a caller's list is its own
    again = code.tests({"size": 4})
    other = code.tests({"size": 6})
    assert parsed == [{"size": 4}, {"size": 6}]
    assert again[0].raw["args"] == [{"tensor": {"shape": [4]}}]
    assert other[0].raw["args"] == [{"tensor": {"shape": [6]}}]

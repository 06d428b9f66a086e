"""Loading question folders and the errors malformed ones raise."""

from __future__ import annotations

import pytest

from question_engine import BankError, discover_questions, load_question


def test_loads_minimal_question(make_question):
    q = load_question(make_question())
    assert q.slug == "tiny"
    assert [p.label for p in q.parts] == ["y"]
    part = q.parts[0]
    assert (part.quantity, part.kind, part.marks) == ("y", "number", 1.0)
    assert q.samples == []
    assert q.paper_params is None
    spec = q.part_specs()[0]
    assert (spec.label, spec.quantity_name, dict(spec.rule)) == ("y", "y", part.rule)


def test_accepts_path_of_question_toml(make_question):
    assert load_question(make_question() / "question.toml").slug == "tiny"


def test_content_hash_changes_with_any_file(make_question):
    folder = make_question()
    before = load_question(folder).content_hash
    (folder / "solution.md").write_text("changed", encoding="utf-8")
    assert load_question(folder).content_hash != before


def test_discover_sorts_by_slug_and_skips_other_folders(make_question):
    make_question("b-second")
    first = make_question("a-first")
    (first.parent / "not-a-question").mkdir()
    slugs = [q.slug for q in discover_questions(first.parent)]
    assert slugs == ["a-first", "b-second"]


def test_missing_file_is_named(make_question):
    folder = make_question(files={"solution.md": None})
    with pytest.raises(BankError, match=r"bank/tiny/solution.md: file is missing"):
        load_question(folder)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("marks = 1", "marks = 0", r"bank/tiny/question.toml: part 'y': marks must be a positive"),
        ('kind = "number"', 'kind = "numbr"', r"part 'y': kind must be one of"),
        ('label = "y"', 'label = "1 y"', r"part #1: label must be an identifier"),
        ('title = "Tiny"', 'title = ""', r"question.toml: title is required"),
        ("rule = {", "rules = {", r"part 'y': unknown field\(s\) rules"),
        ('prompt = "Compute $y$."', "", r"part 'y': prompt is required"),
        ('kind = "number"', 'kind = "text"', r"part 'y': free-text parts need both"),
        ("[[parts]]", "[[parts]\n", r"question.toml: invalid TOML"),
    ],
)
def test_malformed_question_toml(make_question, minimal_files, old, new, message):
    toml = minimal_files["question.toml"].replace(old, new)
    with pytest.raises(BankError, match=message):
        load_question(make_question(files={"question.toml": toml}))


def test_duplicate_labels(make_question, minimal_files):
    toml = minimal_files["question.toml"]
    toml += toml[toml.index("[[parts]]") :]
    with pytest.raises(BankError, match=r"part 'y': label is used twice"):
        load_question(make_question(files={"question.toml": toml}))


def test_bad_folder_name(make_question):
    with pytest.raises(BankError, match="folder name must be a slug"):
        load_question(make_question("Bad_Name"))


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ('[[samples]]\nname = "s"\nexpect = { y = "correct" }\n', "give exactly one of paper"),
        ('[[samples]]\nname = "s"\nseed = 1\nexpect = { z = "correct" }\n', "there is no part 'z'"),
        ('[[samples]]\nname = "s"\nseed = 1\nexpect = { y = "right" }\n', "expect.y must be"),
        (
            '[[samples]]\nname = "s"\nseed = 1\nanswers = { y = 1 }\nexpect = { y = "correct" }\n',
            "answers must map part labels",
        ),
    ],
)
def test_malformed_samples(make_question, samples, message):
    with pytest.raises(BankError, match=rf"bank/tiny/samples.toml: sample 's': {message}"):
        load_question(make_question(files={"samples.toml": samples}))


def test_samples_are_loaded(make_question):
    samples = (
        '[[samples]]\nname = "s"\nseed = 3\nanswers = { y = "2" }\nexpect = { y = "correct" }\n'
    )
    q = load_question(make_question(files={"samples.toml": samples}))
    assert q.samples[0].seed == 3
    assert q.samples[0].answers == {"y": "2"}
    assert not q.samples[0].paper

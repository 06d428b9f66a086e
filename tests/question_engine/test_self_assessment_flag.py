"""The per-part `self_assessment` flag of question.toml: free text only, a boolean."""

from __future__ import annotations

import pytest

from question_engine import BankError, load_question

TEXT_PART = """
[[parts]]
label = "why"
marks = 2
kind = "text"
prompt = "Why?"
model_answer = "Because."
rubric = "1 mark per reason."
"""


def test_the_flag_is_off_by_default_and_read_when_set(make_question, minimal_files):
    toml = minimal_files["question.toml"] + TEXT_PART
    plain = make_question("plain", files={"question.toml": toml})
    assert not load_question(plain).parts[1].self_assessment
    flagged = make_question("flagged", files={"question.toml": toml + "self_assessment = true\n"})
    assert load_question(flagged).parts[1].self_assessment


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('self_assessment = "yes"', r"part 'why': self_assessment must be true or false"),
        ("self_assessment = 1", r"part 'why': self_assessment must be true or false"),
    ],
)
def test_a_flag_that_is_not_a_boolean_is_refused(make_question, minimal_files, line, message):
    toml = minimal_files["question.toml"] + TEXT_PART + line + "\n"
    with pytest.raises(BankError, match=message):
        load_question(make_question(files={"question.toml": toml}))


def test_only_free_text_parts_may_be_self_assessed(make_question, minimal_files):
    toml = minimal_files["question.toml"] + "self_assessment = true\n"
    with pytest.raises(BankError, match=r"part 'y': self_assessment = true is only for free-text"):
        load_question(make_question(files={"question.toml": toml}))

"""Which options each choice part shows (the attempt page's radio buttons and checkboxes), and
validation of a choice part whose options cannot be found."""

from __future__ import annotations

from django.conf import settings

import grader
import question_engine
from question_engine.choice_options import missing_option_problems, part_options
from question_engine.variants import VariantBuild

SLUG = "seed000-q1-multiple-choice"
STATEMENT = """Pick one option per item.

**I.** First stem

- **(a)** $O(NL)$
- **(b)** $O(N^2 L)$
- **(c)** three
- **(d)** four

**II.** Second stem

- (a) alpha
- (b) beta
- (c) gamma
- (d) delta
"""


def _variant(statement: str, prompts: dict[str, str] | None = None) -> VariantBuild:
    return VariantBuild(
        params={},
        reference=grader.Reference(exact={}),
        quantities={},
        rounded_quantities={},
        statement_md=statement,
        part_prompts=prompts or {},
        solution_md="",
    )


def _question():
    return question_engine.load_question(settings.BANK_ROOT / SLUG)


def test_the_statements_lists_go_in_order_to_the_parts_without_their_own():
    q = _question()
    prompts = {"item3": "- (a) one\n- (b) two\n- (c) three\n- (d) four", "item4": ""}
    statement = STATEMENT + "\n- (a) w\n- (b) x\n- (c) y\n- (d) z\n"
    options = part_options(q, statement, prompts)
    assert options["item1"] == {"a": "$O(NL)$", "b": "$O(N^2 L)$", "c": "three", "d": "four"}
    assert options["item2"]["d"] == "delta"
    assert options["item3"]["b"] == "two"
    assert options["item4"]["a"] == "w"


def test_a_part_whose_options_cannot_be_found_is_reported_by_validation():
    q = _question()
    assert part_options(q, STATEMENT, {}) == {}, "two lists for four parts: nothing is told"
    problems = missing_option_problems(q, _variant(STATEMENT), "seed 3")
    assert len(problems) == 4
    assert problems[0].startswith(f"bank/{SLUG}: seed 3: part 'item1' (choice): its options")


def test_a_list_labelled_unlike_the_rule_options_is_not_taken():
    q = _question()
    three = "- (a) one\n- (b) two\n- (c) three"
    prompts = {label: three for label in ("item1", "item2", "item3", "item4")}
    assert part_options(q, "", prompts) == {}
    four = three + "\n- (d) four"
    assert set(part_options(q, "", dict.fromkeys(prompts, four))) == set(prompts)

"""Part display names: as the paper prints them, numbered when parts share a source part,
unique within every shipped bank question."""

from __future__ import annotations

from collections import Counter

from django.conf import settings

import question_engine


def test_shared_source_parts_are_numbered_in_part_order():
    names = question_engine.part_display_names(
        [("w1", "(a)"), ("w2", "(a)"), ("b", "(b)(ii)"), ("w3", "(a)"), ("c", "")]
    )
    assert names == {
        "w1": "(a) 1 of 3",
        "w2": "(a) 2 of 3",
        "b": "(b)(ii)",
        "w3": "(a) 3 of 3",
        "c": "(c)",
    }


def test_a_part_without_source_part_that_looks_like_another_is_still_unique():
    names = question_engine.part_display_names([("a", ""), ("x", "(a)")])
    assert names == {"a": "(a) 1 of 2", "x": "(a) 2 of 2"}
    clash = question_engine.part_display_names([("p", "(a) 1 of 2"), ("q", "(a)"), ("r", "(a)")])
    assert clash == {"p": "(a) 1 of 2", "q": "(a) 1 of 2 [q]", "r": "(a) 2 of 2"}


def test_every_shipped_bank_question_names_its_parts_uniquely():
    questions = question_engine.discover_questions(settings.BANK_ROOT)
    repeated = 0
    for definition in questions:
        pairs = [(part.label, part.source_part) for part in definition.parts]
        names = question_engine.part_display_names(pairs)
        assert list(names) == [label for label, _ in pairs]
        duplicates = [n for n, count in Counter(names.values()).items() if count > 1]
        assert duplicates == [], f"{definition.slug}: parts named alike: {duplicates}"
        sources = Counter(part.source_part for part in definition.parts if part.source_part)
        repeated += any(count > 1 for count in sources.values())
    assert repeated > 0  # the bank does repeat source parts, so the numbering is exercised

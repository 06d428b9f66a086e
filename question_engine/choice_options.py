"""The options a variant shows for its choice parts, and options shown twice.

Options are Markdown list items that start with their label in brackets, as the bank writes
them: ``- (a) text`` or ``- **(a)** text``. Consecutive items labelled a, b, c… (blank lines
allowed between them) form one option list. A choice or multi part owns the lists in its own
prompt; the lists of the statement go, in order, to the choice parts whose prompt has none.
The attempt page shows a part's options as radio buttons or checkboxes (`part_options`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from grader.errors import AnswerFormatError
from grader.parsing.choice import normalise_label
from grader.parsing.number import parse_number
from question_engine.definition import QuestionDefinition
from question_engine.variants import VariantBuild

CHOICE_KINDS = ("choice", "multi")
_OPTION = re.compile(r"^\s*[-*+]\s+(?:\*\*)?\(([a-z])\)(?:\*\*)?\s*(.*?)\s*$")
_MARKUP = re.compile(r"\*\*|\$|\\,|\{,\}")


@dataclass(frozen=True)
class OptionList:
    """One list of options as shown: ``options`` maps each label to its text."""

    where: str
    options: dict[str, str]


def option_lists(text: str, where: str) -> list[OptionList]:
    """Every option list in rendered Markdown ``text``; ``where`` names the text in messages."""
    lists: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines():
        match = _OPTION.match(line)
        if match is None:
            if line.strip():
                current = None
            continue
        label, option = match.groups()
        expected = chr(ord("a") + len(current)) if current is not None else "a"
        if label != expected or current is None:
            current = {}
            lists.append(current)
        current[label] = option
    return [OptionList(where, options) for options in lists if len(options) > 1]


def _as_text(option: str) -> str:
    return " ".join(_MARKUP.sub("", option).split()).casefold()


def _as_value(option: str) -> float | None:
    try:
        return parse_number(_MARKUP.sub("", option).replace(" ", "")).value
    except AnswerFormatError:
        return None


def _same(first: str, second: str) -> bool:
    if _as_text(first) == _as_text(second):
        return True
    first_value, second_value = _as_value(first), _as_value(second)
    if first_value is None or second_value is None:
        return False
    return math.isclose(first_value, second_value, rel_tol=1e-12, abs_tol=0.0)


def repeated_options(options: OptionList) -> list[tuple[str, str]]:
    """Pairs of labels whose options read the same (text up to case, spacing and markup, or
    the same number written differently, e.g. ``0.5`` and ``0.50``)."""
    labels = sorted(options.options)
    return [
        (first, second)
        for index, first in enumerate(labels)
        for second in labels[index + 1 :]
        if _same(options.options[first], options.options[second])
    ]


def _lists_by_part(
    q: QuestionDefinition, statement_md: str, part_prompts: Mapping[str, str]
) -> list[tuple[str, OptionList]]:
    """Each option list with the part it belongs to ('' when that cannot be told)."""
    choice_parts = [part.label for part in q.parts if part.kind in CHOICE_KINDS]
    owned: list[tuple[str, OptionList]] = []
    without_list: list[str] = []
    for label in choice_parts:
        where = f"question.toml: part '{label}' prompt"
        in_prompt = option_lists(part_prompts.get(label, ""), where)
        owned += [(label, found) for found in in_prompt]
        if not in_prompt:
            without_list.append(label)
    in_statement = option_lists(statement_md, "statement.md")
    if len(in_statement) == len(without_list):
        return owned + list(zip(without_list, in_statement, strict=True))
    return owned + [("", found) for found in in_statement]


def part_options(
    q: QuestionDefinition, statement_md: str, part_prompts: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The options each choice or multi part shows in a variant: label → {option label →
    option text as Markdown}, in the order shown. A part is left out when its options cannot
    be told: no list, more than one, or a list whose labels differ from the part's
    `rule.options`."""
    lists: dict[str, list[OptionList]] = {}
    for label, found in _lists_by_part(q, statement_md, part_prompts):
        if label:
            lists.setdefault(label, []).append(found)
    options: dict[str, dict[str, str]] = {}
    for part in q.parts:
        found_lists = lists.get(part.label, [])
        if part.kind not in CHOICE_KINDS or len(found_lists) != 1:
            continue
        found = found_lists[0].options
        declared = part.rule.get("options")
        if declared and {normalise_label(str(o)) for o in declared} != set(found):
            continue
        options[part.label] = dict(found)
    return options


def missing_option_problems(
    q: QuestionDefinition, variant: VariantBuild, variant_name: str
) -> list[str]:
    """One sentence per choice or multi part whose options a variant does not show in a way
    the attempt page can find (it would then ask the student to type a letter)."""
    found = part_options(q, variant.statement_md, variant.part_prompts)
    return [
        f"bank/{q.slug}: {variant_name}: part '{part.label}' ({part.kind}): its options cannot "
        "be found; list them once, in its prompt or (in part order) in statement.md, as "
        "Markdown items '- (a) text', '- (b) text'… labelled like rule.options"
        for part in q.parts
        if part.kind in CHOICE_KINDS and part.label not in found
    ]


def repeated_option_problems(
    q: QuestionDefinition, variant: VariantBuild, variant_name: str
) -> list[str]:
    """One sentence per pair of options a variant shows twice, naming the variant and part."""
    problems = []
    for label, found in _lists_by_part(q, variant.statement_md, variant.part_prompts):
        owner = f"part '{label}'" if label else f"an option list of {found.where}"
        for first, second in repeated_options(found):
            problems.append(
                f"bank/{q.slug}: {variant_name}: {owner} shows the same option twice, "
                f"({first}) and ({second}): {found.options[first]!r}; make generate(rng) keep "
                "the options of a part distinct"
            )
    return problems

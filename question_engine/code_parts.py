"""Code parts of a question: the `[parts.code]` table, its files, and their per-variant texts.

Loading inlines every file the table names (starter, reference, correct solution, tests, known
wrong solutions) into the part's `rule["code"]`, so a stored question version carries its own
copy and old submissions keep being marked against the files they were written for. The
starter is also appended to the stored prompt, so it travels with the variant's numbers; pages and
the API show it once, in `starter` (see `prompt_without_starter`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from grader.code import CodeSpecError, CodeTest, parse_code_tests
from question_engine.definition import PartDefinition, QuestionDefinition
from question_engine.errors import BankError
from question_engine.render import render_template

TESTS_CACHE_SIZE = 512
"""Variants' parsed tests kept per process (a few kB each)."""
_tests_cache: OrderedDict[tuple[str, str, str], tuple[CodeTest, ...]] = OrderedDict()
_tests_lock = threading.Lock()

CODE_KEYS = {
    "entry",
    "starter",
    "reference",
    "solution",
    "tests",
    "wrong",
    "cheats",
    "time_limit_s",
    "runtime",
}
FILE_KEYS = ("starter", "reference", "solution", "tests")
WRONG_KEYS = {"file", "hint", "fails"}
CHEAT_KEYS = {"file", "attack"}
RUNTIMES = ("torch", "numpy")
"""Sandbox runtimes a code part may ask for: `numpy` jobs cannot import torch or sympy at all,
which is how a part bans autograd in a way submitted code cannot undo."""
DEFAULT_TIME_LIMIT_S = 10.0
"""Each test's own budget in seconds (a test may set its own `time_limit_s`)."""
MAX_TIME_LIMIT_S = 60.0
STARTER_HEADING = "Starter code:"


@dataclass(frozen=True)
class WrongSolution:
    """A typical wrong answer shipped with the question, the hint it earns, the tests it fails."""

    name: str
    source: str
    hint: str
    fails: tuple[str, ...]


@dataclass(frozen=True)
class Cheat:
    """An adversarial sample shipped with the question: it must score 0 (see bank tests)."""

    name: str
    source: str
    attack: str


@dataclass(frozen=True)
class CodePart:
    """The resolved `[parts.code]` table of one part (templates still unrendered)."""

    slug: str
    label: str
    marks: float
    entry_template: str
    starter_template: str
    reference: str
    solution: str
    tests_template: str
    wrong: tuple[WrongSolution, ...]
    time_limit_s: float
    runtime: str = "torch"
    cheats: tuple[Cheat, ...] = ()

    @property
    def where(self) -> str:
        return f"bank/{self.slug}: part '{self.label}'"

    def entry(self, params: Mapping[str, Any]) -> str:
        """The name of the function or class the student defines, for this variant."""
        return render_template(self.entry_template, _context(params), f"{self.where} entry").strip()

    def starter(self, params: Mapping[str, Any]) -> str:
        """The starter code shown to the student, with the variant's numbers."""
        return render_template(self.starter_template, _context(params), f"{self.where} starter")

    def tests(self, params: Mapping[str, Any]) -> list[CodeTest]:
        """The variant's tests: the tests file rendered with the params, then read and checked
        (kept per tests file and params in the process: every marking of a variant asks).

        Raises BankError when the rendered file is not valid TOML or its tests are malformed.
        """
        key = (self.where, self.tests_template, json.dumps(params, sort_keys=True, default=repr))
        with _tests_lock:
            found = _tests_cache.get(key)
            if found is not None:
                _tests_cache.move_to_end(key)
                return list(found)
        tests = self._parsed_tests(params)
        with _tests_lock:
            _tests_cache[key] = tuple(tests)
            while len(_tests_cache) > TESTS_CACHE_SIZE:
                _tests_cache.popitem(last=False)
        return tests

    def _parsed_tests(self, params: Mapping[str, Any]) -> list[CodeTest]:
        text = render_template(self.tests_template, _context(params), f"{self.where} tests")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BankError(
                f"{self.where}: tests file is not valid TOML once rendered: {exc}"
            ) from None
        try:
            tests = parse_code_tests(data.get("tests"))
        except CodeSpecError as exc:
            raise BankError(f"{self.where}: tests: {exc}") from None
        return tests

    def wrong_for(self, tests: Sequence[CodeTest]) -> tuple[WrongSolution, ...]:
        """The wrong solutions that apply to a variant: every test they must fail exists in it."""
        names = {test.name for test in tests}
        return tuple(wrong for wrong in self.wrong if set(wrong.fails) <= names)


def _context(params: Mapping[str, Any]) -> dict[str, Any]:
    return {**params, "p": dict(params)}


def code_part(q: QuestionDefinition, label: str) -> CodePart:
    """The code part `label` of `q`; BankError if there is none."""
    try:
        part = q.part(label)
    except KeyError:
        raise BankError(f"bank/{q.slug}: there is no part '{label}'") from None
    table = part.rule.get("code") if isinstance(part.rule, Mapping) else None
    if part.kind != "code" or not isinstance(table, Mapping):
        raise BankError(f"bank/{q.slug}: part '{label}' is not a code part")
    return CodePart(
        slug=q.slug,
        label=label,
        marks=part.marks,
        entry_template=table["entry"],
        starter_template=table["starter"],
        reference=table["reference"],
        solution=table["solution"],
        tests_template=table["tests"],
        wrong=tuple(
            WrongSolution(w["name"], w["source"], w["hint"], tuple(w["fails"]))
            for w in table["wrong"]
        ),
        time_limit_s=float(table["time_limit_s"]),
        runtime=table.get("runtime", "torch"),
        cheats=tuple(Cheat(c["name"], c["source"], c["attack"]) for c in table.get("cheats", [])),
    )


def code_parts(q: QuestionDefinition) -> list[CodePart]:
    return [code_part(q, part.label) for part in q.parts if part.kind == "code"]


def inline_code_files(
    parts: Sequence[PartDefinition], folder: Path, where: str
) -> list[PartDefinition]:
    """Parts with each code table's files read into `rule["code"]` and the starter shown."""
    return [
        _inline(part, folder, f"{where}: part '{part.label}'") if part.kind == "code" else part
        for part in parts
    ]


def _inline(part: PartDefinition, folder: Path, at: str) -> PartDefinition:
    table = part.rule.get("code")
    if not isinstance(table, Mapping):
        raise BankError(f"{at}: code parts need a [parts.code] table (entry, starter, ...)")
    unknown = sorted(set(table) - CODE_KEYS)
    if unknown:
        raise BankError(
            f"{at}: [parts.code] has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(CODE_KEYS))}"
        )
    entry = table.get("entry")
    if not isinstance(entry, str) or not entry.strip():
        raise BankError(f"{at}: [parts.code] entry must name the function or class to write")
    inlined: dict[str, Any] = {"entry": entry}
    for key in FILE_KEYS:
        inlined[key] = _read(folder, table.get(key), f"{at}: [parts.code] {key}")
    inlined["wrong"] = _wrong_solutions(folder, table.get("wrong", []), at)
    inlined["cheats"] = _cheats(folder, table.get("cheats", []), at)
    inlined["time_limit_s"] = _time_limit(table.get("time_limit_s", DEFAULT_TIME_LIMIT_S), at)
    runtime = table.get("runtime", "torch")
    if runtime not in RUNTIMES:
        raise BankError(f"{at}: [parts.code] runtime must be one of {', '.join(RUNTIMES)}")
    inlined["runtime"] = runtime
    prompt = f"{part.prompt.rstrip()}\n\n{STARTER_HEADING}\n\n```python\n{inlined['starter']}```\n"
    return dataclasses.replace(part, prompt=prompt, rule={**part.rule, "code": inlined})


def prompt_without_starter(prompt_md: str, starter: str) -> str:
    """A rendered code-part prompt without the starter block that loading appended to it.

    Pages that put `starter` into a code editor show it there only. `prompt_md` is returned as
    it is when it does not end with a "Starter code:" heading and a fenced block holding
    exactly `starter` (give the starter rendered with the same variant's numbers).
    """
    head, heading, rest = prompt_md.rpartition(f"\n{STARTER_HEADING}\n")
    body = rest.strip()
    fence = "```python"
    if not heading or not body.startswith(fence) or not body.endswith("```"):
        return prompt_md
    if body[len(fence) : -3].strip() != starter.strip():
        return prompt_md
    return head.rstrip() + "\n"


def _read(folder: Path, name: Any, at: str) -> str:
    if not isinstance(name, str) or not name:
        raise BankError(f"{at} must name a file in the question folder")
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise BankError(f"{at}: {name!r} must be a path inside the question folder")
    path = folder / relative
    if not path.is_file():
        raise BankError(f"{at}: file {name!r} does not exist in the question folder")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BankError(f"{at}: {name!r} is not UTF-8 text") from None


def _wrong_solutions(folder: Path, raw: Any, at: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise BankError(f"{at}: [parts.code] wrong must be an array of [[parts.code.wrong]] tables")
    solutions = []
    for index, item in enumerate(raw, start=1):
        where = f"{at}: wrong solution #{index}"
        if not isinstance(item, dict):
            raise BankError(f"{where} must be a table with file, hint and fails")
        unknown = sorted(set(item) - WRONG_KEYS)
        if unknown:
            raise BankError(f"{where}: unknown field(s) {', '.join(unknown)}")
        hint, fails = item.get("hint", ""), item.get("fails")
        if not isinstance(hint, str):
            raise BankError(f"{where}: hint must be a string")
        if not isinstance(fails, list) or not fails or not all(isinstance(f, str) for f in fails):
            raise BankError(f"{where}: fails must list the test names this solution must fail")
        source = _read(folder, item.get("file"), f"{where} file")
        name = PurePosixPath(item["file"]).stem
        solutions.append({"name": name, "source": source, "hint": hint, "fails": fails})
    return solutions


def _cheats(folder: Path, raw: Any, at: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise BankError(f"{at}: [parts.code] cheats must be an array of [[parts.code.cheats]]")
    cheats = []
    for index, item in enumerate(raw, start=1):
        where = f"{at}: cheat #{index}"
        if not isinstance(item, dict):
            raise BankError(f"{where} must be a table with file and attack")
        unknown = sorted(set(item) - CHEAT_KEYS)
        if unknown:
            raise BankError(f"{where}: unknown field(s) {', '.join(unknown)}; use file, attack")
        attack = item.get("attack")
        if not isinstance(attack, str) or not attack.strip():
            raise BankError(f"{where}: attack must say in one line what the cheat tries")
        source = _read(folder, item.get("file"), f"{where} file")
        cheats.append(
            {"name": PurePosixPath(item["file"]).stem, "source": source, "attack": attack}
        )
    return cheats


def _time_limit(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BankError(f"{at}: [parts.code] time_limit_s must be a number of seconds")
    if not 0 < value <= MAX_TIME_LIMIT_S:
        raise BankError(f"{at}: [parts.code] time_limit_s must be in (0, {MAX_TIME_LIMIT_S:g}]")
    return float(value)

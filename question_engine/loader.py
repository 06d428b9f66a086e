"""Reading question folders (`bank/<slug>/`) into `QuestionDefinition`s."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from question_engine.code_parts import inline_code_files
from question_engine.definition import (
    ANSWER_KINDS,
    MANUAL_KINDS,
    PART_STATUSES,
    PartDefinition,
    PerturbationSettings,
    QuestionDefinition,
    Sample,
)
from question_engine.errors import BankError
from question_engine.jobs.perturbations import ALL, FAMILIES, LOG_SWAPS, ROUNDINGS

QUESTION_FILE = "question.toml"
REQUIRED_FILES = ("question.toml", "question.py", "statement.md", "solution.md")
SAMPLES_FILE = "samples.toml"
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SOURCE_ENTRY = r"\d{3}_[0-9a-f]{16}\.txt Q\d+(?:\([a-z0-9]+\))*(?:-Q\d+)?"
SOURCE_PATTERN = re.compile(rf"{SOURCE_ENTRY}(?:; {SOURCE_ENTRY})*")
NO_PAPER_SOURCE = "not from a seed paper"
SOURCE_FORM = (
    'source must be "<seed file> Q<n>", e.g. "002_9ac109d30a929c13.txt Q2" (one part: '
    '"… Q3(b)"; several questions: "… Q2-Q4"; the same question in two seed files: '
    '"002_….txt Q1; 004_….txt Q1"), or "not from a seed paper"; put any remark in notes'
)
QUESTION_KEYS = {"title", "topic", "tags", "source", "notes", "paper", "parts", "perturbations"}
PERTURBATION_KEYS = {"off", "slips", "optional"}
PERTURBATION_PREFIXES = ("sign", *ROUNDINGS, "transpose", "forgot", "slip")
WHOLE_PERTURBATIONS = (ALL, *FAMILIES, *LOG_SWAPS, "degrees")
EXAMPLE_PHRASES = {
    "slips": 'slips.variance_for_std = "using the variance where the standard deviation is needed"',
    "optional": 'optional.bias = "leaving out the bias b"',
}
PART_KEYS = {
    "label",
    "source_part",
    "marks",
    "kind",
    "prompt",
    "quantity",
    "rule",
    "model_answer",
    "rubric",
    "self_assessment",
    "code",
}
SAMPLE_KEYS = {"name", "seed", "paper", "answers", "expect"}


def discover_questions(root: Path | str) -> list[QuestionDefinition]:
    """Every folder directly under `root` (the bank folder) holding a question.toml.

    Raises BankError when `root` is not a folder or a question in it is malformed.
    """
    root = Path(root)
    if not root.is_dir():
        raise BankError(f"{root}: not a directory; pass the folder that holds the questions")
    folders = sorted(p for p in root.iterdir() if (p / QUESTION_FILE).is_file())
    return [load_question(folder) for folder in folders]


def load_question(path: Path | str) -> QuestionDefinition:
    """Load and shape-check one question folder (or the path of its question.toml)."""
    folder = Path(path)
    if folder.name == QUESTION_FILE:
        folder = folder.parent
    slug = folder.name
    where = _Where(folder)
    if not folder.is_dir():
        raise BankError(f"{where.folder}: no such question folder")
    if not SLUG_PATTERN.match(slug):
        raise BankError(
            f"{where.folder}: folder name must be a slug of lower-case letters, digits and '-'"
        )
    for filename in REQUIRED_FILES:
        if not (folder / filename).is_file():
            raise BankError(f"{where(filename)}: file is missing; every question needs it")
    data = _read_toml(folder / QUESTION_FILE, where(QUESTION_FILE))
    parts = inline_code_files(
        _parse_parts(data, where(QUESTION_FILE)), folder, where(QUESTION_FILE)
    )
    samples = _load_samples(folder, where(SAMPLES_FILE), parts)
    return QuestionDefinition(
        slug=slug,
        path=folder,
        title=_text(data, "title", where(QUESTION_FILE), required=True),
        topic=_text(data, "topic", where(QUESTION_FILE), required=True),
        tags=_string_list(data, "tags", where(QUESTION_FILE)),
        source=_source(data, where(QUESTION_FILE)),
        notes=_text(data, "notes", where(QUESTION_FILE)),
        parts=parts,
        statement_template=_read_text(folder / "statement.md", where("statement.md")),
        solution_template=_read_text(folder / "solution.md", where("solution.md")),
        code=_read_text(folder / "question.py", where("question.py")),
        paper_params=_paper(data, where(QUESTION_FILE)),
        samples=samples,
        content_hash=content_hash(folder),
        perturbations=_perturbations(data, where(QUESTION_FILE)),
    )


def content_hash(folder: Path) -> str:
    """sha256 over every file of the folder (relative path and bytes), caches excluded."""
    digest = hashlib.sha256()
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


class _Where:
    """Formats 'bank/<slug>/<file>' prefixes for error messages."""

    def __init__(self, folder: Path) -> None:
        self.folder = f"{folder.parent.name}/{folder.name}"

    def __call__(self, filename: str) -> str:
        return f"{self.folder}/{filename}"


def _read_text(path: Path, where: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BankError(f"{where}: not valid UTF-8 text; save the file as UTF-8") from None


def _read_toml(path: Path, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(_read_text(path, where))
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{where}: invalid TOML: {exc}") from None


def _unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise BankError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _text(table: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise BankError(f"{where}: {key} must be a string")
    if required and not value.strip():
        raise BankError(f"{where}: {key} is required and must not be empty")
    return value


def _source(table: dict[str, Any], where: str) -> str:
    """The question's `source`, checked against the documented forms (SOURCE_FORM)."""
    source = _text(table, "source", where, required=True)
    if source != NO_PAPER_SOURCE and not SOURCE_PATTERN.fullmatch(source):
        raise BankError(f"{where}: {SOURCE_FORM}, not {source!r}")
    return source


def _string_list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BankError(f"{where}: {key} must be a list of strings")
    return list(value)


def _paper(data: dict[str, Any], where: str) -> dict[str, Any] | None:
    paper = data.get("paper")
    if paper is None:
        return None
    if not isinstance(paper, dict) or not paper:
        raise BankError(f"{where}: [paper] must be a non-empty table of the exam's parameters")
    return paper


def _perturbations(data: dict[str, Any], where: str) -> PerturbationSettings:
    table = data.get("perturbations", {})
    at = f"{where}: [perturbations]"
    if not isinstance(table, dict):
        raise BankError(f'{at} must be a table, e.g. [perturbations] off = ["transpose"]')
    _unknown_keys(table, PERTURBATION_KEYS, at)
    off = table.get("off", [])
    if not isinstance(off, list) or not all(isinstance(entry, str) for entry in off):
        raise BankError(f'{at} off must be a list of strings, e.g. off = ["sign", "round_2dp:u3"]')
    for entry in off:
        if not _perturbation_name(entry):
            raise BankError(
                f"{at} off: {entry!r} names no perturbation; write a family "
                f'({", ".join(FAMILIES)}), "all", or one perturbation such as '
                '"log10_for_ln", "degrees", "transpose:W1", "sign:u1", '
                '"round_2dp:u1", "round_2sf:u1", "forgot:bias" or "slip:my_slip"'
            )
    return PerturbationSettings(
        off=tuple(off),
        slips=_phrases(table, "slips", at, "r.slip"),
        optional=_phrases(table, "optional", at, "r.optional"),
    )


def _perturbation_name(entry: str) -> bool:
    prefix, colon, target = entry.partition(":")
    if not colon:
        return entry in WHOLE_PERTURBATIONS
    return prefix in PERTURBATION_PREFIXES and bool(NAME_PATTERN.match(target))


def _phrases(table: dict[str, Any], key: str, at: str, method: str) -> dict[str, str]:
    phrases = table.get(key, {})
    example = EXAMPLE_PHRASES[key]
    if not isinstance(phrases, dict):
        raise BankError(f"{at} {key} must be a table of phrases, e.g. {example}")
    for name, phrase in phrases.items():
        if not NAME_PATTERN.match(name):
            raise BankError(f"{at} {key}: {name!r} must be the identifier given to {method}()")
        if not isinstance(phrase, str) or not phrase.strip():
            raise BankError(
                f'{at} {key}.{name} must be a phrase that completes "Your answer matches the '
                f'answer you get …", e.g. {example}'
            )
    return {name: phrase.strip().rstrip(".") for name, phrase in phrases.items()}


def _parse_parts(data: dict[str, Any], where: str) -> list[PartDefinition]:
    _unknown_keys(data, QUESTION_KEYS, where)
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise BankError(f"{where}: parts is required; add at least one [[parts]] table")
    parts: list[PartDefinition] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_parts, start=1):
        if not isinstance(raw, dict):
            raise BankError(f"{where}: part #{index} must be a table")
        part = _parse_part(raw, index, where)
        if part.label in seen:
            raise BankError(f"{where}: part '{part.label}': label is used twice; labels are unique")
        seen.add(part.label)
        parts.append(part)
    return parts


def _parse_part(raw: dict[str, Any], index: int, where: str) -> PartDefinition:
    label = raw.get("label")
    if not isinstance(label, str) or not NAME_PATTERN.match(label):
        raise BankError(
            f"{where}: part #{index}: label must be an identifier such as 'u1' or 'b_ii'"
        )
    at = f"{where}: part '{label}'"
    _unknown_keys(raw, PART_KEYS, at)
    marks = raw.get("marks")
    if isinstance(marks, bool) or not isinstance(marks, int | float) or marks <= 0:
        raise BankError(f"{at}: marks must be a positive number")
    kind = raw.get("kind")
    if kind not in ANSWER_KINDS:
        raise BankError(f"{at}: kind must be one of {', '.join(ANSWER_KINDS)}")
    quantity = raw.get("quantity", label)
    if not isinstance(quantity, str) or not NAME_PATTERN.match(quantity):
        raise BankError(f"{at}: quantity must be an identifier naming a reported solver value")
    rule = raw.get("rule", {})
    if not isinstance(rule, dict):
        raise BankError(f"{at}: rule must be a table, e.g. rule = {{ tolerance = {{ dp = 2 }} }}")
    if "code" in raw:
        if kind != "code":
            raise BankError(f"{at}: only parts of kind 'code' take a [parts.code] table")
        rule = {**rule, "code": raw["code"]}
    part = PartDefinition(
        label=label,
        source_part=_text(raw, "source_part", at),
        marks=float(marks),
        kind=kind,
        prompt=_text(raw, "prompt", at, required=True),
        quantity=quantity,
        rule=rule,
        model_answer=_text(raw, "model_answer", at),
        rubric=_text(raw, "rubric", at),
        self_assessment=_self_assessment(raw, kind, at),
    )
    if kind in MANUAL_KINDS and not (part.model_answer.strip() and part.rubric.strip()):
        raise BankError(f"{at}: free-text parts need both model_answer and rubric")
    return part


def _self_assessment(raw: dict[str, Any], kind: str, at: str) -> bool:
    """The part's `self_assessment` flag (default false); only free-text parts may set it.

    Raises BankError when it is not a boolean, or is true on a part marked automatically.
    """
    value = raw.get("self_assessment", False)
    if not isinstance(value, bool):
        raise BankError(f"{at}: self_assessment must be true or false")
    if value and kind not in MANUAL_KINDS:
        raise BankError(
            f'{at}: self_assessment = true is only for free-text parts (kind = "text"); '
            "other kinds are marked automatically"
        )
    return value


def _load_samples(folder: Path, where: str, parts: list[PartDefinition]) -> list[Sample]:
    path = folder / SAMPLES_FILE
    if not path.is_file():
        return []
    data = _read_toml(path, where)
    _unknown_keys(data, {"samples"}, where)
    raw_samples = data.get("samples", [])
    if not isinstance(raw_samples, list):
        raise BankError(f"{where}: samples must be an array of [[samples]] tables")
    labels = {part.label for part in parts}
    return [_parse_sample(raw, i, where, labels) for i, raw in enumerate(raw_samples, start=1)]


def _parse_sample(raw: Any, index: int, where: str, labels: set[str]) -> Sample:
    if not isinstance(raw, dict):
        raise BankError(f"{where}: sample #{index} must be a table")
    name = raw.get("name") or f"#{index}"
    at = f"{where}: sample '{name}'"
    _unknown_keys(raw, SAMPLE_KEYS, at)
    paper = raw.get("paper", False)
    seed = raw.get("seed")
    if not isinstance(paper, bool):
        raise BankError(f"{at}: paper must be true or false")
    if paper == (seed is not None):
        raise BankError(f"{at}: give exactly one of paper = true or seed = <integer>")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise BankError(f"{at}: seed must be a non-negative integer")
    answers = raw.get("answers", {})
    expect = raw.get("expect", {})
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise BankError(f"{at}: answers must map part labels to the text a student would type")
    if not isinstance(expect, dict) or not expect:
        raise BankError(f"{at}: expect must map part labels to the status they must get")
    for label in [*answers, *expect]:
        if label not in labels:
            raise BankError(f"{at}: there is no part '{label}' in question.toml")
    for label, status in expect.items():
        if status not in PART_STATUSES:
            raise BankError(
                f"{at}: expect.{label} must be one of {', '.join(PART_STATUSES)}, not {status!r}"
            )
    return Sample(name=str(name), seed=seed, paper=paper, answers=answers, expect=expect)

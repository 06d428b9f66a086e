"""What every benchmark shares: figures against targets, the machine, the table and the JSON.

A benchmark module defines `NAME`, `add_arguments(parser)` and `run(arguments) -> Report`, and
calls `bench_main` from its `__main__`; `benchmarks/run.py` runs them all and merges their JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
DEFAULT_OUTPUT = RESULTS_DIR / "latest.json"


@dataclass(frozen=True)
class Figure:
    """One measured figure; `target` with `higher_is_better` says when it is met.

    `value` and `target` are in `unit`; a figure without a target is shown for context.
    """

    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def met(self) -> bool | None:
        """True/False against the target; None when the figure has none."""
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def verdict(self) -> str:
        """'met', 'missed by <amount> (<ratio>× the target)' or '' without a target."""
        if self.met is None:
            return ""
        if self.met:
            return "met"
        gap = format_value(abs(self.value - self.target), self.unit)
        if not self.target:
            return f"MISSED by {gap}"
        return f"MISSED by {gap} ({self.value / self.target:.2g}× the target)"

    def as_dict(self) -> dict[str, Any]:
        """The figure as JSON-ready fields plus `met` and `verdict`."""
        return {**asdict(self), "met": self.met, "verdict": self.verdict()}


@dataclass
class Report:
    """A benchmark's figures and the raw details behind them (JSON-ready values)."""

    figures: list[Figure]
    details: dict[str, Any] = field(default_factory=dict)


def format_value(value: float, unit: str) -> str:
    """A number with its unit, at a precision readable in a table ('12.3 ms', '1,234 /s')."""
    if unit == "count" or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip() if unit != "count" else text


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (`fraction` in 0..1); raises ValueError if empty."""
    if not values:
        raise ValueError("no values to take a percentile of")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git_commit() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = git("rev-parse", "HEAD") or "unknown"
    return f"{commit}-dirty" if git("status", "--porcelain", "--untracked-files=no") else commit


def machine_before() -> dict[str, Any]:
    """The machine and its load before a run: cores, CPU model, memory (GiB), load average
    (1, 5, 15 min), git commit (with `-dirty` for uncommitted changes), Python, UTC start."""
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def machine_after(machine: dict[str, Any]) -> dict[str, Any]:
    """`machine` with the load average after the run and the UTC end time added."""
    return {
        **machine,
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def table(rows: list[tuple[str, Figure]]) -> str:
    """A plain-text table: benchmark, figure, value, target, verdict and note (a row each)."""
    header = ("benchmark", "figure", "measured", "target", "verdict; note")
    lines = [
        (
            bench,
            figure.name,
            format_value(figure.value, figure.unit),
            ""
            if figure.target is None
            else ("≥ " if figure.higher_is_better else "≤ ")
            + format_value(figure.target, figure.unit),
            "; ".join(filter(None, (figure.verdict(), figure.note))),
        )
        for bench, figure in rows
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, lines)])


def markdown_table(rows: list[tuple[str, Figure]]) -> str:
    """The same rows as `table`, as a Markdown table (for the README)."""
    lines = [
        "| benchmark | figure | measured | target | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for bench, figure in rows:
        target = (
            ""
            if figure.target is None
            else ("≥ " if figure.higher_is_better else "≤ ")
            + format_value(figure.target, figure.unit)
        )
        verdict = "; ".join(filter(None, (figure.verdict(), figure.note)))
        value = format_value(figure.value, figure.unit)
        lines.append(f"| {bench} | {figure.name} | {value} | {target} | {verdict} |")
    return "\n".join(lines)


def machine_line(machine: dict[str, Any]) -> str:
    """One line naming the machine and its load, for the table's heading."""
    after = machine.get("load_average_after")
    load = f"load average {machine['load_average_before'][0]:.2f} before"
    if after:
        load += f", {after[0]:.2f} after"
    return (
        f"{machine['cores']} cores ({machine['cpu_model']}), {machine['memory_gib']} GiB, {load}; "
        f"commit {machine['git_commit'][:12]}"
    )


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write `document` as indented JSON to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def bench_main(
    name: str,
    description: str | None,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], Report],
) -> int:
    """Parse the command line, run one benchmark, print its table, write its JSON.

    Options common to every benchmark: `--quick` (a small run that finishes in seconds to a
    minute) and `--json PATH` (default: no file). Returns the process exit status (0).
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small run (seconds, not minutes)")
    parser.add_argument("--json", type=Path, help="write the figures and machine here as JSON")
    add_arguments(parser)
    arguments = parser.parse_args()
    machine = machine_before()
    started = time.perf_counter()
    report = run(arguments)
    machine = machine_after(machine)
    print(f"\n{name}: {machine_line(machine)}")
    print(table([(name, figure) for figure in report.figures]), flush=True)
    if arguments.json:
        write_json(
            arguments.json,
            {
                "machine": machine,
                "benchmarks": {
                    name: {
                        "seconds": round(time.perf_counter() - started, 1),
                        "quick": arguments.quick,
                        "figures": [figure.as_dict() for figure in report.figures],
                        "details": report.details,
                    }
                },
            },
        )
    sys.stdout.flush()
    return 0

"""Every benchmark in one run: a table of each figure against its target, and JSON.

Run: ``make benchmarks`` or ``make benchmarks BENCH_ARGS="--quick"``, i.e.
``.venv/bin/python benchmarks/run.py [--quick] [--only sandbox,http] [--skip burst]
[--students 300] [--port P] [--output PATH] [--markdown]``; ``benchmarks/run.py --render
benchmarks/results/latest.json --markdown`` prints an earlier run's table for the README.

Runs each benchmark as its own process (`benchmarks/bench_*.py --json …`; each also runs
alone, see its --help), in this order: sandbox, code (whole code markings), numeric (numeric
marking in the worker's path), http (end to end over HTTP), burst (deadline burst). Prints
their output as they go, then one table of every figure with its target and whether it was met
(or missed by how much), and writes the figures, the raw details and the machine (cores, CPU
model, memory, load average before and after, git commit) to `--output` (default
benchmarks/results/latest.json). Exits 1 if a benchmark failed (the others still run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    DEFAULT_OUTPUT,
    Figure,
    machine_after,
    machine_before,
    machine_line,
    markdown_table,
    table,
    write_json,
)

BENCHES = {
    "sandbox": "bench_sandbox.py",
    "code": "bench_code_marking.py",
    "numeric": "bench_marking.py",
    "http": "bench_http.py",
    "burst": "bench_burst.py",
}
STACK_BENCHES = ("http", "burst")


def names(text: str) -> list[str]:
    """Comma-separated benchmark names, each checked against BENCHES."""
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}"
        )
    return chosen


def arguments_parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of `make benchmarks BENCH_ARGS=…`."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small runs of every benchmark")
    parser.add_argument("--only", type=names, help=f"comma-separated, of: {', '.join(BENCHES)}")
    parser.add_argument("--skip", type=names, default=[], help="comma-separated names to skip")
    parser.add_argument("--students", type=int, help="students in the deadline burst (300)")
    parser.add_argument("--port", type=int, help="web port of the stack (default: a free one)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--render", type=Path, help="run nothing: print the table of this earlier JSON file"
    )
    return parser.parse_args(argv)


def bench_command(name: str, arguments: argparse.Namespace, json_path: Path) -> list[str]:
    """The command running benchmark `name` with this run's options."""
    command = [sys.executable, str(ROOT / "benchmarks" / BENCHES[name]), "--json", str(json_path)]
    if arguments.quick:
        command.append("--quick")
    if name == "burst" and arguments.students:
        command += ["--students", str(arguments.students)]
    if name in STACK_BENCHES and arguments.port:
        command += ["--port", str(arguments.port)]
    return command


def rows_of(results: dict) -> list[tuple[str, Figure]]:
    """(benchmark, figure) rows of the `benchmarks` part of a JSON document."""
    return [
        (bench, Figure(**{k: v for k, v in figure.items() if k not in ("met", "verdict")}))
        for bench, result in results.items()
        for figure in result["figures"]
    ]


def render(document: dict, markdown: bool) -> str:
    """The heading line and the table of a whole run's JSON document."""
    rows = rows_of(document["benchmarks"])
    heading = f"All benchmarks{' (quick)' if document.get('quick') else ''}: "
    return (
        heading
        + machine_line(document["machine"])
        + "\n"
        + (markdown_table(rows) if markdown else table(rows))
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print the table, write the JSON; 1 if any failed."""
    arguments = arguments_parse(argv)
    if arguments.render:
        print(render(json.loads(arguments.render.read_text()), arguments.markdown))
        return 0
    chosen = [n for n in (arguments.only or BENCHES) if n not in arguments.skip]
    machine = machine_before()
    results, failed = {}, []
    with tempfile.TemporaryDirectory(prefix="tensorgrade-bench-") as folder:
        for name in chosen:
            json_path = Path(folder) / f"{name}.json"
            print(f"\n=== {name} ===", flush=True)
            finished = subprocess.run(bench_command(name, arguments, json_path), cwd=ROOT)
            if finished.returncode != 0 or not json_path.exists():
                print(f"The {name} benchmark failed (exit status {finished.returncode}).")
                failed.append(name)
                continue
            results.update(json.loads(json_path.read_text())["benchmarks"])
    document = {
        "machine": machine_after(machine),
        "quick": arguments.quick,
        "benchmarks": results,
        "failed": failed,
    }
    print("\n" + render(document, arguments.markdown))
    if failed:
        print(f"Failed: {', '.join(failed)} (see their output above).")
    write_json(arguments.output, document)
    print(f"Written to {arguments.output}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmarks keep running: the cheap ones in quick mode, and the table's verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.common import Figure, table

ROOT = Path(__file__).resolve().parents[2]


def test_a_figure_says_whether_it_meets_its_target_and_by_how_much():
    assert Figure("p50", 12.0, "ms", 15.0).verdict() == "met"
    assert Figure("p50", 45.0, "ms", 15.0).verdict() == "MISSED by 30.0 ms (3× the target)"
    assert Figure("rate", 5.0, "/s", 20.0, higher_is_better=True).verdict() == (
        "MISSED by 15.0 /s (0.25× the target)"
    )
    assert Figure("lost", 2, "count", 0).verdict() == "MISSED by 2"
    assert Figure("context", 3.0, "ms").met is None


def test_the_table_has_a_row_per_figure_with_target_verdict_and_note():
    lines = table(
        [
            ("sandbox", Figure("job p50", 9.5, "ms", 15.0)),
            ("burst", Figure("drain time", 70.0, "s", 15.0, note="not drained")),
        ]
    ).splitlines()
    assert len(lines) == 4
    assert lines[2].split() == ["sandbox", "job", "p50", "9.50", "ms", "≤", "15.0", "ms", "met"]
    assert "≤ 15.0 s" in lines[3] and "MISSED by 55.0 s (4.7× the target); not drained" in lines[3]


def test_the_one_command_passes_its_options_to_each_benchmark(tmp_path):
    arguments = run.arguments_parse(["--quick", "--students", "50", "--only", "burst,sandbox"])
    assert arguments.only == ["burst", "sandbox"]
    burst = run.bench_command("burst", arguments, tmp_path / "b.json")
    assert burst[2:] == ["--json", str(tmp_path / "b.json"), "--quick", "--students", "50"]
    assert "--students" not in run.bench_command("sandbox", arguments, tmp_path / "s.json")
    with pytest.raises(SystemExit):
        run.arguments_parse(["--only", "sandbox,nonsense"])


def run_quick(script: str, json_path: Path) -> dict:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--json", str(json_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return json.loads(json_path.read_text())


@pytest.mark.slow
def test_the_sandbox_benchmark_runs_in_quick_mode(tmp_path):
    document = run_quick("bench_sandbox.py", tmp_path / "sandbox.json")
    figures = {f["name"]: f for f in document["benchmarks"]["sandbox"]["figures"]}
    job = figures["sandbox job p50 (LayerNorm fwd+bwd, torch)"]
    assert job["target"] == 15.0 and job["value"] > 0 and job["verdict"]
    assert figures["sandbox vs fresh interpreter, p50 latency"]["value"] > 1
    machine = document["machine"]
    assert machine["cores"] and machine["git_commit"] and len(machine["load_average_after"]) == 3


@pytest.mark.slow
def test_the_numeric_marking_benchmark_marks_every_submission_in_quick_mode(tmp_path):
    document = run_quick("bench_marking.py", tmp_path / "numeric.json")
    result = document["benchmarks"]["numeric marking"]
    assert result["details"]["statuses"]["graded"] == result["details"]["submissions"] >= 10
    assert result["details"]["numeric_answers"] > 0
    rates = [f["value"] for f in result["figures"] if f["unit"] == "/s"]
    assert rates and all(rate > 0 for rate in rates)


def test_an_earlier_run_renders_as_a_markdown_table(tmp_path, capsys):
    figure = Figure("drain time", 70.0, "s", 15.0)
    document = {
        "machine": {
            "cores": 2,
            "cpu_model": "AMD EPYC",
            "memory_gib": 23.5,
            "load_average_before": [9.5, 7.0, 4.0],
            "load_average_after": [12.0, 8.0, 5.0],
            "git_commit": "884e44f0acab0000",
        },
        "quick": False,
        "benchmarks": {"deadline burst": {"figures": [figure.as_dict()]}},
    }
    (tmp_path / "latest.json").write_text(json.dumps(document))
    assert run.main(["--render", str(tmp_path / "latest.json"), "--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "load average 9.50 before, 12.00 after; commit 884e44f0acab" in lines[0]
    assert lines[-1] == (
        "| deadline burst | drain time | 70.0 s | ≤ 15.0 s | MISSED by 55.0 s (4.7× the target) |"
    )

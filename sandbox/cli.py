"""Command line: ``python -m sandbox serve|doctor|run``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence

from sandbox.limits import Limits
from sandbox.runtimes import DEFAULT_RUNTIME, RUNTIMES
from sandbox.server_config import DEFAULT_INTERACTIVE_WORKERS, default_workers
from sandbox.uid_pool import DEFAULT_FIRST_UID

FIRST_UID_ENV = "SANDBOX_FIRST_UID"

RESULT_REPR_ENTRY = "_sandbox_cli_result_repr"
RESULT_REPR_SOURCE = f"""

def {RESULT_REPR_ENTRY}():
    return repr(globals()["result"]) if "result" in globals() else None
"""


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox server on a Unix socket")
    serve.add_argument("--socket", required=True, help="path of the Unix socket to listen on")
    serve.add_argument(
        "--workers", type=_positive_int, default=default_workers(), help="concurrent jobs"
    )
    serve.add_argument(
        "--interactive-workers",
        type=_non_negative_int,
        default=DEFAULT_INTERACTIVE_WORKERS,
        help="slots kept for jobs a person waits on (visible tests, previews), served on "
        "SOCKET.interactive; 0 for none (docs/sandbox.md)",
    )
    serve.add_argument(
        "--first-uid",
        type=_positive_int,
        default=int(os.environ.get(FIRST_UID_ENV, DEFAULT_FIRST_UID)),
        help=f"lowest uid slots may run as (env {FIRST_UID_ENV}); a free block is leased",
    )
    serve.add_argument(
        "--parent-pid",
        type=_positive_int,
        default=None,
        help="shut down when this process exits (used by the per-process local server)",
    )
    commands.add_parser("doctor", help="print which isolation layers work here, as JSON")
    run = commands.add_parser("run", help="run FILE.py as one job and print the JSON result")
    run.add_argument("file", help="Python file to run")
    run.add_argument("--timeout", type=_positive_float, help="wall-clock limit in seconds")
    run.add_argument("--memory", type=_positive_int, help="memory limit in MB")
    run.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default=DEFAULT_RUNTIME,
        help="torch (default), or numpy: a process where torch and sympy cannot be imported",
    )
    return parser


def _run_file(path: str, timeout: float | None, memory: int | None, runtime: str) -> int:
    from sandbox.job import Call, Job
    from sandbox.local_server import get_client

    try:
        with open(path, encoding="utf-8") as source:
            code = source.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    limits = Limits.from_env()
    if timeout is not None:
        limits = dataclasses.replace(limits, wall_time_s=timeout, cpu_time_s=timeout)
    if memory is not None:
        limits = dataclasses.replace(limits, memory_mb=memory)
    job = Job(
        code=code + RESULT_REPR_SOURCE,
        calls=[Call(RESULT_REPR_ENTRY)],
        limits=limits,
        filename=path.rsplit("/", 1)[-1],
        runtime=runtime,
    )
    result = get_client().run(job)
    report = {
        "status": result.status,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "result": result.outputs[0] if result.outputs else None,
        "error": None if result.error is None else result.error.as_dict(),
        "signal": result.signal,
        "duration_ms": result.duration_ms,
    }
    print(json.dumps(report, indent=2))
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "serve":
        from sandbox.server import reexec_with_huge_page_malloc, serve

        reexec_with_huge_page_malloc(list(sys.argv[1:] if argv is None else argv))
        return serve(
            arguments.socket,
            arguments.workers,
            arguments.first_uid,
            arguments.parent_pid,
            interactive_workers=arguments.interactive_workers,
        )
    if arguments.command == "doctor":
        from sandbox.doctor import run_probe

        report = run_probe()
        print(json.dumps(report, indent=2))
        if not report["secure"]:
            print("sandbox doctor: NOT SECURE", file=sys.stderr)
            for problem in report["problems"]:
                print(f"  {problem}", file=sys.stderr)
        return 0 if report["secure"] else 1
    return _run_file(arguments.file, arguments.timeout, arguments.memory, arguments.runtime)

"""Host paths a job needs read-only: system libraries and the Python runtime, nothing else."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable

SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/localtime")


def _is_within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _minimal_cover(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already inside another listed path, keeping the order stable."""
    chosen: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(_is_within(path, parent) for parent in chosen):
            chosen.append(path)
    return tuple(chosen)


def runtime_readonly_paths(excluded_dirs: Iterable[str] = ()) -> tuple[str, ...]:
    """Paths to bind read-only into a job's root; never ``excluded_dirs`` or their parents."""
    excluded = [os.path.realpath(path) for path in excluded_dirs]
    candidates = list(SYSTEM_PATHS)
    candidates += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib")]
    # Other sys.path entries (the current directory, a script's folder, editable installs)
    # are deliberately left out: only the interpreter and its installed packages are needed.
    candidates += site.getsitepackages()
    allowed = []
    for candidate in candidates:
        for path in {candidate, os.path.realpath(candidate)}:
            # The excluded directory and its parents stay hidden; a runtime inside it (a
            # project-local virtualenv) is still bound.
            if not os.path.exists(path) or any(_is_within(hidden, path) for hidden in excluded):
                continue
            allowed.append(path)
    return _minimal_cover(allowed)


def project_root() -> str:
    """The directory that contains the ``sandbox`` package (the project checkout)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

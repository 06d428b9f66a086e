"""Host paths a job needs read-only: system libraries and the Python runtime, nothing else."""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass

SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/localtime")


@dataclass(frozen=True)
class RuntimeMounts:
    """What a job's root shows of the host.

    ``readonly_paths`` are bound read-only at the same path. ``hidden_paths`` lie inside one
    of them (say a checkout under ``/usr/local/src``) and are covered by an empty read-only
    tmpfs; runtime paths inside a hidden directory (its virtualenv) are bound on top of that.
    """

    readonly_paths: tuple[str, ...]
    hidden_paths: tuple[str, ...]


def is_within(path: str, parent: str) -> bool:
    """True if ``path`` is ``parent`` or below it (plain string paths, no resolution)."""
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _separated(path: str, cover: str, hidden: Iterable[str]) -> bool:
    """A hidden directory lies between ``cover`` and ``path``, so binding ``cover`` hides it."""
    return any(h != cover and is_within(h, cover) and is_within(path, h) for h in hidden)


def _candidates() -> list[str]:
    candidates = list(SYSTEM_PATHS)
    candidates += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib")]
    candidates.append(sysconfig.get_paths()["platlib"])
    # Other sys.path entries (the current directory, a script's folder, editable installs)
    # are deliberately left out: only the interpreter and its installed packages are needed.
    candidates += site.getsitepackages()
    if site.ENABLE_USER_SITE and site.getusersitepackages() in sys.path:
        candidates.append(site.getusersitepackages())
    return candidates


def plan_mounts(paths: Iterable[str], hidden: Iterable[str]) -> RuntimeMounts:
    """The fewest binds that show every path in ``paths``, and the masks ``hidden`` needs.

    Pure string logic on absolute paths: a path inside another is dropped unless a hidden
    directory lies between them; a path equal to a hidden directory is never bound; a hidden
    directory is masked only if some bind would show it.
    """
    hidden = sorted(set(hidden))
    chosen: list[str] = []
    for path in sorted(set(paths) - set(hidden), key=lambda p: (p.count("/"), p)):
        covered = any(
            is_within(path, cover) and not _separated(path, cover, hidden) for cover in chosen
        )
        if not covered:
            chosen.append(path)
    masks = [h for h in hidden if any(h != bind and is_within(h, bind) for bind in chosen)]
    return RuntimeMounts(tuple(chosen), tuple(masks))


def runtime_mounts(excluded_dirs: Iterable[str] = ()) -> RuntimeMounts:
    """The read-only binds and hidden directories of a job's root; ``excluded_dirs`` stay hidden.

    Both the given and the resolved form of every path are used, so a runtime reached through a
    symlink is found at either name. A runtime inside an excluded directory (a project-local
    virtualenv) is still bound; an excluded directory inside a bound one is hidden.
    """
    hidden = {
        form for path in excluded_dirs for form in (os.path.abspath(path), os.path.realpath(path))
    }
    paths = {
        path
        for candidate in _candidates()
        for path in (os.path.abspath(candidate), os.path.realpath(candidate))
        if os.path.exists(path)
    }
    return plan_mounts(paths, hidden)


def project_root() -> str:
    """The directory that contains the ``sandbox`` package (the project checkout)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

"""Layer: a fresh read-only root with only the runtime's paths, /dev basics, /tmp and /job.

``prepare`` builds the root once per template and enters it (``pivot_root``, old root
detached): runtime paths are bound at the same path as on the host, so the interpreter finds
its prefix wherever it lives (``/tmp``, a home directory of mode 0700, a path with spaces).
The directories leading to them are created by root with mode 0755 in the new root, whatever
the host's parents are, so the slot uid can always walk down to them. ``apply`` runs in each
child, in its own copy of that mount namespace: a fresh ``/tmp`` and a fresh ``/job`` (runtime
paths under ``/tmp`` are moved into the fresh one), so no job sees another's files.
"""

from __future__ import annotations

import errno
import os

from sandbox.layers import libc
from sandbox.layers.config import WORKDIR, ContainConfig
from sandbox.layers.errors import LayerError
from sandbox.runtime_paths import is_within

NAME = "mounts"

DEVICE_NODES = ("null", "zero", "random", "urandom")
ROOT_LINK_NAMES = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
OLD_ROOT = ".old_root"
TMP = "/tmp"
# Where a child mounts its fresh /tmp to move runtime paths into it before it covers /tmp.
TMP_STAGING = "/.tmp-staging"
DIR_MODE = 0o755
HIDDEN_OPTIONS = "size=64k,mode=0755,nr_inodes=1024"
BLOCKED_PACKAGE_INIT = """raise ModuleNotFoundError(
    f"No module named {__name__!r}: this job's runtime does not provide it", name=__name__
)
"""
# Mount points this layer makes itself: a runtime path there would be covered or would
# bring host files into the job's writable directories.
RESERVED_TREES = ("/dev", WORKDIR, "/" + OLD_ROOT, TMP_STAGING)
RESERVED_PATHS = ("/", TMP)
MOVE_HINT = (
    "install the interpreter and the virtualenv somewhere else (for example under /opt or "
    "/srv) and restart the sandbox server"
)


def _mount(
    source: str, target: str, fstype: str | None, flags: int, data: str | None, path: str
) -> None:
    """mount(2); ``path`` is the host path the mount is for, named in the error."""
    try:
        libc.mount(source, target, fstype, flags, data)
    except OSError as exc:
        syscall = f"mount({source} -> {target}, {fstype or 'flags ' + hex(flags)})"
        raise LayerError.from_os_error(NAME, syscall, exc, path=path) from None


def _make_dirs(new_root: str, path: str) -> None:
    """Create ``path`` inside ``new_root``; each new directory is root's with mode 0755."""
    current = new_root
    for part in path.strip("/").split("/"):
        current = f"{current}/{part}"
        if os.path.lexists(current):
            continue
        try:
            os.mkdir(current, DIR_MODE)
            os.chmod(current, DIR_MODE)  # the server's umask must not make it untraversable
        except OSError as exc:
            raise LayerError.from_os_error(
                NAME, "mkdir in the new root", exc, path=current[len(new_root) :]
            ) from None


def _already_visible(host_path: str, target: str) -> bool:
    """The new root already shows ``host_path`` at its place (through an earlier bind)."""
    try:
        return os.path.samestat(os.stat(target), os.stat(host_path))
    except OSError:
        return False


def _bind_readonly(host_path: str, new_root: str) -> None:
    target = new_root + host_path
    if not os.path.exists(host_path):
        raise LayerError(
            NAME,
            "stat",
            "this runtime path no longer exists",
            path=host_path,
            errno=errno.ENOENT,
            hint="restart the sandbox server from an intact interpreter and virtualenv",
        )
    if _already_visible(host_path, target):
        return
    if os.path.isdir(host_path):
        _make_dirs(new_root, host_path)
    else:
        _make_dirs(new_root, os.path.dirname(host_path))
        try:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        except OSError as exc:
            raise LayerError.from_os_error(
                NAME, "create file mount point", exc, path=host_path
            ) from None
    _mount(host_path, target, None, libc.MS_BIND, None, host_path)
    readonly = libc.MS_BIND | libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV
    _mount("none", target, None, readonly, None, host_path)


def _hide(host_path: str, new_root: str) -> None:
    """Cover a directory inside a bound path with an empty tmpfs (made read-only later)."""
    _make_dirs(new_root, host_path)
    flags = libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC
    _mount("tmpfs", new_root + host_path, "tmpfs", flags, HIDDEN_OPTIONS, host_path)


def _block_package(host_path: str, new_root: str) -> None:
    """Put the raising ``__init__.py`` in a hidden package directory (still writable)."""
    try:
        with open(f"{new_root}{host_path}/__init__.py", "x") as init:
            init.write(BLOCKED_PACKAGE_INIT)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "write __init__.py", exc, path=host_path) from None


def _bind_device(name: str, new_root: str) -> None:
    target = f"{new_root}/dev/{name}"
    try:
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "create device mount point", exc) from None
    _mount(f"/dev/{name}", target, None, libc.MS_BIND, None, f"/dev/{name}")
    flags = libc.MS_BIND | libc.MS_REMOUNT | libc.MS_NOSUID | libc.MS_NOEXEC
    _mount("none", target, None, flags, None, f"/dev/{name}")


def check_layout(config: ContainConfig) -> None:
    """Fail closed if a runtime path would collide with a mount point this layer makes."""
    for path in config.readonly_paths + config.hidden_paths:
        collides = path in RESERVED_PATHS or any(is_within(path, t) for t in RESERVED_TREES)
        if not os.path.isabs(path) or collides:
            raise LayerError(
                NAME,
                "plan the new root",
                "this runtime path is a mount point the sandbox makes itself "
                f"({', '.join(RESERVED_PATHS + RESERVED_TREES)}), or is relative",
                path=path,
                hint=MOVE_HINT,
            )


def _populate(config: ContainConfig, new_root: str) -> None:
    """Everything inside the new root, mounted while it is still writable."""
    for name in ROOT_LINK_NAMES:
        host = "/" + name
        if os.path.islink(host):
            try:
                os.symlink(os.readlink(host), f"{new_root}/{name}")
            except OSError as exc:
                raise LayerError.from_os_error(NAME, "symlink in the new root", exc) from None
    # Mount points of each child's own /tmp and /job (runtime paths under /tmp are bound here
    # in the root, and each child moves them into its fresh /tmp).
    for directory in (TMP, WORKDIR, TMP_STAGING):
        _make_dirs(new_root, directory)
    _make_dirs(new_root, "/dev")
    for name in DEVICE_NODES:
        _bind_device(name, new_root)
    # Outer paths before inner ones: a hidden directory covers what its bound parent shows,
    # and runtime paths inside it (a project-local virtualenv) are bound on top of it.
    hidden = set(config.hidden_paths)
    for path in sorted({*config.readonly_paths, *hidden}, key=lambda p: (p.count("/"), p)):
        if path in hidden:
            _hide(path, new_root)
        else:
            _bind_readonly(path, new_root)
    for path in config.blocked_packages:
        if path in hidden:
            _block_package(path, new_root)
    readonly = libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC
    for path in config.hidden_paths:
        _mount("none", new_root + path, None, readonly, None, path)
    _make_dirs(new_root, "/" + OLD_ROOT)


_root_entered = False


def prepare(config: ContainConfig) -> None:
    """Once per template: build the job root in the staging directory and enter it."""
    global _root_entered
    check_layout(config)
    new_root = config.staging_dir
    _mount("none", "/", None, libc.MS_REC | libc.MS_PRIVATE, None, "/")
    _mount("tmpfs", new_root, "tmpfs", libc.MS_NOSUID, "size=1m,mode=0755", new_root)
    _populate(config, new_root)
    try:
        libc.pivot_root(new_root, f"{new_root}/{OLD_ROOT}")
        os.chdir("/")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "pivot_root", exc, path=new_root) from None
    try:
        libc.umount2(f"/{OLD_ROOT}", libc.MNT_DETACH)
        os.rmdir(f"/{OLD_ROOT}")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "umount2(old root)", exc) from None
    _mount("none", "/", None, libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID, None, "/")
    _root_entered = True


def _outermost_under_tmp(config: ContainConfig) -> list[str]:
    """Runtime binds and hidden directories under /tmp that no other one contains."""
    paths = sorted(
        {p for p in config.readonly_paths + config.hidden_paths if is_within(p, TMP)},
        key=lambda p: (p.count("/"), p),
    )
    outermost: list[str] = []
    for path in paths:
        if not any(is_within(path, outer) for outer in outermost):
            outermost.append(path)
    return outermost


def _move_into_staging(path: str) -> None:
    """Move the mount at ``path`` (under /tmp) to the same place in the staged /tmp."""
    target = TMP_STAGING + path[len(TMP) :]
    _make_dirs(TMP_STAGING, os.path.dirname(path[len(TMP) :]) or "/")
    if os.path.isdir(path):
        _make_dirs(TMP_STAGING, path[len(TMP) :])
    else:
        try:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        except OSError as exc:
            raise LayerError.from_os_error(NAME, "create mount point", exc, path=path) from None
    _mount(path, target, None, libc.MS_MOVE, None, path)


def apply(config: ContainConfig) -> None:
    """In each child (own mount namespace): a fresh /tmp and /job; the working directory."""
    if not _root_entered:
        raise LayerError(
            NAME,
            "apply",
            "the job root was not built (its preparation failed or never ran)",
            hint="see the template's or the probe's earlier failure of this layer",
        )
    flags = libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC
    tmp_options = f"size={config.workdir_size_mb}m,mode=1777,nr_inodes=4096"
    under_tmp = _outermost_under_tmp(config)
    if under_tmp:
        # Runtime paths under /tmp stay below root-owned directories of the fresh /tmp, which
        # the sticky bit protects from the job.
        _mount("tmpfs", TMP_STAGING, "tmpfs", flags, tmp_options, TMP)
        for path in under_tmp:
            _move_into_staging(path)
        _mount(TMP_STAGING, TMP, None, libc.MS_MOVE, None, TMP)
    else:
        _mount("tmpfs", TMP, "tmpfs", flags, tmp_options, TMP)
    workdir_options = (
        f"size={config.workdir_size_mb}m,mode=0700,uid={config.uid},gid={config.gid},nr_inodes=4096"
    )
    _mount("tmpfs", WORKDIR, "tmpfs", flags, workdir_options, WORKDIR)
    try:
        os.chdir(WORKDIR)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "chdir", exc, path=WORKDIR) from None

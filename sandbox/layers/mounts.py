"""Layer: a fresh read-only root with only the runtime's paths, /dev basics and a private /job."""

from __future__ import annotations

import os

from sandbox.layers import libc
from sandbox.layers.config import WORKDIR, ContainConfig
from sandbox.layers.errors import LayerError

NAME = "mounts"

DEVICE_NODES = ("null", "zero", "random", "urandom")
ROOT_LINK_NAMES = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
OLD_ROOT = ".old_root"


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    try:
        libc.mount(source, target, fstype, flags, data)
    except OSError as exc:
        raise LayerError.from_os_error(NAME, f"mount({source} -> {target})", exc) from None


def _bind_readonly(host_path: str, new_root: str) -> None:
    target = new_root + host_path
    if os.path.isdir(host_path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(host_path, target, None, libc.MS_BIND, None)
    readonly = libc.MS_BIND | libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV
    _mount("none", target, None, readonly, None)


def _bind_device(name: str, new_root: str) -> None:
    target = f"{new_root}/dev/{name}"
    open(target, "a").close()
    _mount(f"/dev/{name}", target, None, libc.MS_BIND, None)
    flags = libc.MS_BIND | libc.MS_REMOUNT | libc.MS_NOSUID | libc.MS_NOEXEC
    _mount("none", target, None, flags, None)


def apply(config: ContainConfig) -> None:
    new_root = config.staging_dir
    _mount("none", "/", None, libc.MS_REC | libc.MS_PRIVATE, None)
    _mount("tmpfs", new_root, "tmpfs", libc.MS_NOSUID, "size=1m,mode=0755")
    try:
        for name in ROOT_LINK_NAMES:
            host = "/" + name
            if os.path.islink(host):
                os.symlink(os.readlink(host), f"{new_root}/{name}")
        for host_path in config.readonly_paths:
            _bind_readonly(host_path, new_root)
        os.mkdir(f"{new_root}/dev")
        for name in DEVICE_NODES:
            _bind_device(name, new_root)
        os.mkdir(new_root + WORKDIR)
        os.symlink(WORKDIR, f"{new_root}/tmp")
        os.mkdir(f"{new_root}/{OLD_ROOT}")
    except OSError as exc:
        syscall = f"mkdir/symlink in new root ({exc.filename})"
        raise LayerError.from_os_error(NAME, syscall, exc) from None
    workdir_options = (
        f"size={config.workdir_size_mb}m,mode=0700,uid={config.uid},gid={config.gid},nr_inodes=4096"
    )
    workdir_flags = libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC
    _mount("tmpfs", new_root + WORKDIR, "tmpfs", workdir_flags, workdir_options)
    try:
        libc.pivot_root(new_root, f"{new_root}/{OLD_ROOT}")
        os.chdir("/")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "pivot_root", exc) from None
    try:
        libc.umount2(f"/{OLD_ROOT}", libc.MNT_DETACH)
        os.rmdir(f"/{OLD_ROOT}")
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "umount2(old root)", exc) from None
    _mount("none", "/", None, libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID, None)
    os.chdir(WORKDIR)

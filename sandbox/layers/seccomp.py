"""Layer: a libseccomp filter that refuses (EPERM) the syscalls a job never needs."""

from __future__ import annotations

import errno
import os

from sandbox.layers import libc
from sandbox.layers.config import ContainConfig
from sandbox.layers.errors import LayerError

try:
    import pyseccomp
except (ImportError, OSError) as _exc:  # libseccomp.so missing makes the import fail
    pyseccomp = None
    IMPORT_ERROR = f"{type(_exc).__name__}: {_exc}"
else:
    IMPORT_ERROR = ""

NAME = "seccomp"

DENIED_SYSCALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "userfaultfd",
    "open_by_handle_at",
    "socket",
    "socketpair",
    "execve",
    "execveat",
    "personality",
    # io_uring can perform socket and file operations that no syscall filter sees.
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # The new mount API, quotas, accounting and the kernel log: never needed by a job.
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "fanotify_init",
    "quotactl",
    "acct",
    "syslog",
)

NAMESPACE_CLONE_FLAGS = (
    libc.CLONE_NEWNS,
    libc.CLONE_NEWUTS,
    libc.CLONE_NEWIPC,
    libc.CLONE_NEWUSER,
    libc.CLONE_NEWPID,
    libc.CLONE_NEWNET,
    libc.CLONE_NEWCGROUP,
)


def build_filter() -> pyseccomp.SyscallFilter:
    """The filter object; default allow, the listed syscalls and namespace clones refused."""
    deny = pyseccomp.ERRNO(errno.EPERM)
    syscall_filter = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        syscall_filter.add_rule(deny, name)
    for flag in NAMESPACE_CLONE_FLAGS:
        syscall_filter.add_rule(deny, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    # clone3 passes flags in memory a filter cannot read; ENOSYS makes libc fall back to clone.
    syscall_filter.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    return syscall_filter


_prepared: list[bytes] = []


def compile_filter() -> bytes:
    """The filter as the BPF program libseccomp generates for this machine's architecture."""
    descriptor = os.memfd_create("seccomp-filter")
    with os.fdopen(descriptor, "w+b") as program:
        build_filter().export_bpf(program)
        program.seek(0)
        return program.read()


def prepare(config: ContainConfig | None = None) -> None:
    """Compile the filter once per template, so each forked child only installs the program
    (libseccomp would generate it again on every load, which costs ~0.4 ms)."""
    if pyseccomp is not None and not _prepared:
        try:
            _prepared.append(compile_filter())
        except OSError as exc:
            raise LayerError.from_os_error(NAME, "seccomp_export_bpf", exc) from None


def apply(config: ContainConfig) -> None:
    """Install the filter (no_new_privs is already set); raises LayerError."""
    if pyseccomp is None:
        raise LayerError(
            NAME, "seccomp_init", f"{IMPORT_ERROR}; install libseccomp2 and the pyseccomp package"
        )
    try:
        if _prepared:
            libc.load_seccomp_program(_prepared[0])
        else:
            build_filter().load()
    except OSError as exc:
        raise LayerError.from_os_error(NAME, "seccomp_load", exc) from None

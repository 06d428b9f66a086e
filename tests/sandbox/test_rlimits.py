"""Per-job rlimits, applied in a forked child of the test process."""

import errno
import os
import resource
import signal

from sandbox.layers.rlimits import MB, apply_job_limits
from sandbox.limits import Limits
from sandbox.template import address_space_bytes


def in_child(check) -> int:
    """Run ``check`` in a forked child; return its exit code (0 means the check held)."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if check() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_address_space_limit_turns_a_big_allocation_into_memory_error():
    def check() -> bool:
        apply_job_limits(Limits(memory_mb=64), address_space_bytes() + 64 * MB)
        try:
            bytearray(512 * MB)
        except MemoryError:
            return True
        return False

    assert in_child(check) == 0


def test_file_size_limit_makes_writes_fail(tmp_path):
    def check() -> bool:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        apply_job_limits(Limits(max_file_size_mb=1), None)
        try:
            (tmp_path / "big").write_bytes(b"x" * (2 * MB))
        except OSError as exc:
            return exc.errno == errno.EFBIG
        return False

    assert in_child(check) == 0


def test_job_limits_are_set_as_given():
    def check() -> bool:
        apply_job_limits(Limits(cpu_time_s=2.5, max_open_files=20, max_processes=7), None)
        return (
            resource.getrlimit(resource.RLIMIT_CPU) == (3, 4)
            and resource.getrlimit(resource.RLIMIT_NOFILE) == (20, 20)
            and resource.getrlimit(resource.RLIMIT_NPROC) == (7, 7)
            and resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
        )

    assert in_child(check) == 0


def test_without_a_cpu_quota_processes_and_threads_are_capped_to_the_share():
    def check() -> bool:
        apply_job_limits(Limits(max_processes=32), None, max_threads=2)
        return resource.getrlimit(resource.RLIMIT_NPROC) == (2, 2)

    assert in_child(check) == 0

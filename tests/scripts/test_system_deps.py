"""scripts/system-deps: what it finds missing, the command it prints, how it drives apt-get.

Each test builds a fake machine: a bin/ folder with every real command except the ones a test
decides on (redis-server, chromium, initdb, make, node, npm, sudo, python3.11, apt-get,
dpkg-query), which are absent or stubs, and its own (empty) folder of PostgreSQL versions. The
stub apt-get records its command lines and "installs" by adding stubs.
Without root, the script runs as `nobody` when the tests run as root.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-deps"
DECIDED_BY_TESTS = {
    "redis-server",
    "chromium",
    "initdb",
    "make",
    "node",
    "npm",
    "sudo",
    "python3",
    "python3.11",
    "apt-get",
    "dpkg-query",
}
REAL_BIN_DIRS = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
LOCK_MESSAGE = (
    "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (unattended-upgr)"
)
IS_ROOT = os.geteuid() == 0
AS_NOBODY = ["runuser", "-u", "nobody", "--"] if IS_ROOT else []
needs_root = pytest.mark.skipif(not IS_ROOT, reason="the install path runs only as root")


def _python_for_stubs() -> str | None:
    """A Python 3.11 with ensurepip that the non-root user of the tests can run."""
    candidates = [sys.executable, sys._base_executable, "/usr/bin/python3.11"]
    probe = "import sys, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))"
    for candidate in candidates:
        try:
            ran = subprocess.run([*AS_NOBODY, candidate, "-c", probe], capture_output=True)
        except OSError:
            continue
        if ran.returncode == 0:
            return candidate
    return None


PYTHON_FOR_STUBS = _python_for_stubs()
pytestmark = pytest.mark.skipif(
    PYTHON_FOR_STUBS is None, reason="no Python 3.11 with ensurepip that nobody can run"
)

APT_GET_STUB = """#!/bin/bash
# Records each call; fails on a held lock while lock-held counts down ("always": never frees);
# an install "installs" commands as stubs and libraries into the installed list.
dir='{dir}'
echo "$*" >> "$dir/apt.log"
held=$(cat "$dir/lock-held" 2>/dev/null || echo 0)
if [[ $held == always || $held -gt 0 ]]; then
    [[ $held == always ]] || echo $((held - 1)) > "$dir/lock-held"
    echo '{lock_message}' >&2
    exit 100
fi
[[ " $* " == *" install "* ]] || exit 0
if [[ -e $dir/apt-error ]]; then cat "$dir/apt-error" >&2; exit 100; fi
[[ -e $dir/installs-nothing ]] && exit 0
for package in "$@"; do
    case $package in
    redis-server | chromium | make | npm) printf '#!/bin/sh\\n' > "$dir/bin/$package"
        chmod 755 "$dir/bin/$package" ;;
    nodejs) printf '#!/bin/sh\\n' > "$dir/bin/node"
        chmod 755 "$dir/bin/node" ;;
    -*) ;;
    *) echo "$package" >> "$dir/installed" ;;
    esac
done
"""

DPKG_QUERY_STUB = """#!/bin/bash
# -W ... PACKAGE: "ii " when PACKAGE is in the installed list; -S PATH: owned when debian-python.
dir='{dir}'
case $1 in
-W) grep -qx -- "${{@: -1}}" "$dir/installed" 2>/dev/null && printf 'ii ' ;;
-S) [[ -e $dir/debian-python ]] ;;
*) exit 2 ;;
esac
"""


class FakeMachine:
    """A folder nobody can read holding bin/ (the PATH), stubs and the stub apt-get's log."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir()
        for folder in REAL_BIN_DIRS:
            for entry in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
                target = self.bin / entry.name
                if entry.name not in DECIDED_BY_TESTS and not target.exists():
                    target.symlink_to(entry)
        self.script = root / "system-deps"
        shutil.copy(SCRIPT, self.script)
        self.write("bin/apt-get", APT_GET_STUB.format(dir=root, lock_message=LOCK_MESSAGE))
        self.write("bin/dpkg-query", DPKG_QUERY_STUB.format(dir=root))
        self.write("installed", "")
        self.python(venv_support=True)

    def write(self, name: str, text: str) -> Path:
        """Write a file under the machine's folder, executable if it starts with #!."""
        path = self.root / name
        path.write_text(text)
        path.chmod(0o755 if text.startswith("#!") else 0o644)
        return path

    def provide(self, *commands: str) -> None:
        """Commands that exist (and do nothing)."""
        for command in commands:
            self.write(f"bin/{command}", "#!/bin/sh\n")

    def install(self, *packages: str) -> None:
        """Debian packages dpkg-query reports as installed."""
        with (self.root / "installed").open("a") as installed:
            installed.writelines(f"{package}\n" for package in packages)

    def python(self, *, venv_support: bool, name: str = "python3.11") -> None:
        """A python3.11 (a real one), with or without a working ensurepip."""
        shadow = self.root / "no-ensurepip"
        shadow.mkdir(exist_ok=True)
        (shadow / "ensurepip.py").write_text("raise ImportError('no ensurepip here')\n")
        path_line = "" if venv_support else f"PYTHONPATH='{shadow}' "
        self.write(f"bin/{name}", f"#!/bin/sh\n{path_line}exec '{PYTHON_FOR_STUBS}' \"$@\"\n")

    def apt_calls(self) -> list[str]:
        log = self.root / "apt.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(
        self, *args: str, as_root: bool = False, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run the script with only bin/ on PATH, as root or (when we are root) as nobody."""
        user = [] if as_root else AS_NOBODY
        command = ["/usr/bin/env", "-i", f"PATH={self.bin}", "HOME=/", "LANG=C.UTF-8"]
        command += [f"POSTGRESQL_LIB_DIR={self.root / 'postgresql'}"]
        command += [f"{name}={value}" for name, value in env.items()]
        return subprocess.run(
            [*user, *command, str(self.script), *args], capture_output=True, text=True
        )


@pytest.fixture
def machine() -> Iterator[FakeMachine]:
    root = Path(tempfile.mkdtemp(prefix="system deps "))
    root.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        yield FakeMachine(root)
    finally:
        shutil.rmtree(root)


@pytest.fixture
def complete_machine(machine: FakeMachine) -> FakeMachine:
    """A machine with everything `make test` needs."""
    machine.provide("redis-server", "chromium", "initdb", "make", "node", "npm")
    machine.install("libseccomp2")
    return machine


def printed_command(stderr: str) -> str:
    """The indented command line the script tells a user without root to run."""
    lines = [line.strip() for line in stderr.splitlines() if line.startswith("    ")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("purpose", ["venv", "assets", "run", "test", "ci"])
def test_nothing_missing_means_silence_and_success(complete_machine, purpose):
    result = complete_machine.run(purpose)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_without_root_prints_the_exact_sudo_command_and_fails(complete_machine):
    (complete_machine.bin / "redis-server").unlink()
    (complete_machine.bin / "chromium").unlink()
    complete_machine.provide("sudo")

    result = complete_machine.run("test")

    assert result.returncode == 1
    assert printed_command(result.stderr) == (
        "sudo apt-get update && sudo apt-get install -y redis-server chromium"
    )
    assert "then run `make test` again" in result.stderr
    assert complete_machine.apt_calls() == []


def test_without_root_or_sudo_the_command_uses_su(complete_machine):
    (complete_machine.bin / "redis-server").unlink()

    result = complete_machine.run("run")

    assert result.returncode == 1
    assert printed_command(result.stderr) == (
        "su -c 'apt-get update && apt-get install -y redis-server'"
    )
    assert "then run `make run` again" in result.stderr


@pytest.mark.parametrize(
    ("purpose", "packages"),
    [
        ("venv", "python3.11-venv"),
        ("assets", "nodejs npm"),
        ("run", "python3.11-venv nodejs npm redis-server libseccomp2"),
        ("test", "python3.11-venv nodejs npm redis-server libseccomp2 chromium postgresql"),
        ("ci", "make python3.11-venv nodejs npm redis-server libseccomp2 chromium postgresql"),
    ],
)
def test_each_purpose_asks_for_its_own_packages(machine, purpose, packages):
    machine.python(venv_support=False)
    machine.write("debian-python", "")

    result = machine.run(purpose)

    assert result.returncode == 1
    assert printed_command(result.stderr).endswith(f"apt-get install -y {packages}'")


def test_debian_postgresql_outside_path_counts_and_its_absence_asks_for_it(complete_machine):
    (complete_machine.bin / "initdb").unlink()
    assert printed_command(complete_machine.run("test").stderr).endswith(
        "apt-get install -y postgresql'"
    )
    (complete_machine.root / "postgresql" / "15" / "bin").mkdir(parents=True)
    complete_machine.write("postgresql/15/bin/initdb", "#!/bin/sh\n")
    result = complete_machine.run("test")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_editor_build_needs_node_and_npm_but_no_python(complete_machine):
    (complete_machine.bin / "python3.11").unlink()
    (complete_machine.bin / "npm").unlink()

    result = complete_machine.run("assets")

    assert result.returncode == 1
    assert "npm: the npm command, which installs the code editor's packages" in result.stderr
    assert printed_command(result.stderr).endswith("apt-get install -y npm'")
    assert "then run `make install` again" in result.stderr


def test_debian_python_without_venv_support_asks_for_python3_11_venv(complete_machine):
    complete_machine.python(venv_support=False)
    complete_machine.write("debian-python", "")

    result = complete_machine.run("venv")

    assert result.returncode == 1
    assert "python3.11-venv: venv support for" in result.stderr
    assert printed_command(result.stderr).endswith("apt-get install -y python3.11-venv'")


def test_other_python_without_venv_support_is_explained_and_never_sent_to_apt(complete_machine):
    complete_machine.python(venv_support=False)

    result = complete_machine.run("test", as_root=IS_ROOT)

    assert result.returncode == 1
    assert "cannot create virtual environments (it has no ensurepip module)" in result.stderr
    assert "PYTHON=/path/to/it" in result.stderr
    assert complete_machine.apt_calls() == []


def test_no_python_3_11_at_all_asks_for_python3_11(complete_machine):
    (complete_machine.bin / "python3.11").unlink()

    result = complete_machine.run("venv")

    assert result.returncode == 1
    assert printed_command(result.stderr).endswith("install -y python3.11 python3.11-venv'")


def test_python3_is_used_when_it_is_3_11(complete_machine):
    (complete_machine.bin / "python3.11").unlink()
    complete_machine.python(venv_support=True, name="python3")

    result = complete_machine.run("--find-python")

    assert result.stdout.strip() == str(complete_machine.bin / "python3")


@pytest.mark.parametrize(
    ("python", "message"),
    [
        ("python3.12", "is not Python 3.11"),
        ("no-such-python", "PYTHON=no-such-python is not a command"),
    ],
)
def test_a_wrong_python_is_refused_with_what_to_set(complete_machine, python, message):
    complete_machine.write("bin/python3.12", "#!/bin/sh\nexit 1\n")

    result = complete_machine.run("venv", PYTHON=python)

    assert result.returncode == 1
    assert message in result.stderr
    assert "PYTHON" in result.stderr


def test_dry_run_prints_the_apt_commands_with_the_lock_timeout(complete_machine):
    (complete_machine.bin / "chromium").unlink()

    result = complete_machine.run("--dry-run", "test", TENSORGRADE_APT_LOCK_TIMEOUT="42")

    assert result.returncode == 0
    assert result.stdout.splitlines()[-2:] == [
        "apt-get -o DPkg::Lock::Timeout=42 update -q",
        "apt-get -o DPkg::Lock::Timeout=42 install -y -q --no-upgrade chromium",
    ]
    assert complete_machine.apt_calls() == []


def test_a_lock_timeout_that_is_not_whole_seconds_is_refused(complete_machine):
    result = complete_machine.run("test", TENSORGRADE_APT_LOCK_TIMEOUT="5m")

    assert result.returncode == 2
    assert "TENSORGRADE_APT_LOCK_TIMEOUT=5m is not a whole number of seconds" in result.stderr


def lock_timeouts(calls: list[str]) -> list[int]:
    return [int(re.search(r"DPkg::Lock::Timeout=(\d+)", call).group(1)) for call in calls]


def without_timeout(calls: list[str]) -> list[str]:
    return [re.sub(r"-o DPkg::Lock::Timeout=\d+ ", "", call) for call in calls]


@needs_root
def test_as_root_updates_once_then_installs_only_what_is_missing(complete_machine):
    (complete_machine.bin / "redis-server").unlink()
    (complete_machine.bin / "chromium").unlink()
    (complete_machine.bin / "node").unlink()

    result = complete_machine.run("test", as_root=True)

    assert result.returncode == 0, result.stderr
    calls = complete_machine.apt_calls()
    assert without_timeout(calls) == [
        "update -q",
        "install -y -q --no-upgrade nodejs redis-server chromium",
    ]
    assert all(0 < timeout <= 600 for timeout in lock_timeouts(calls))


@needs_root
def test_as_root_waits_while_another_apt_holds_the_lock(complete_machine):
    (complete_machine.bin / "redis-server").unlink()
    complete_machine.write("lock-held", "1")

    result = complete_machine.run("run", as_root=True)

    assert result.returncode == 0, result.stderr
    assert "held by process 4242 (unattended-upgr)" in result.stderr
    assert "waiting up to 600s" in result.stderr
    assert without_timeout(complete_machine.apt_calls()) == [
        "update -q",
        "update -q",
        "install -y -q --no-upgrade redis-server",
    ]


@needs_root
def test_as_root_gives_up_on_a_lock_held_too_long_and_says_so(complete_machine):
    (complete_machine.bin / "redis-server").unlink()
    complete_machine.write("lock-held", "always")

    result = complete_machine.run("run", as_root=True, TENSORGRADE_APT_LOCK_TIMEOUT="0")

    assert result.returncode == 1
    assert "Gave up after waiting 0s for another apt/dpkg process" in result.stderr
    assert "Could not install: redis-server" in result.stderr
    assert lock_timeouts(complete_machine.apt_calls()) == [0, 0]


@needs_root
def test_as_root_an_apt_error_is_shown_with_what_to_do(complete_machine):
    (complete_machine.bin / "chromium").unlink()
    complete_machine.write("apt-error", "E: Unable to locate package chromium\n")

    result = complete_machine.run("ci", as_root=True)

    assert result.returncode == 1
    assert "E: Unable to locate package chromium" in result.stderr
    assert "then run `.ci/run` again" in result.stderr


@needs_root
def test_as_root_a_package_that_installs_without_the_command_is_reported(complete_machine):
    (complete_machine.bin / "redis-server").unlink()
    complete_machine.write("installs-nothing", "")

    result = complete_machine.run("run", as_root=True)

    assert result.returncode == 1
    assert "apt-get installed redis-server, yet these are still missing" in result.stderr

"""A throwaway PostgreSQL cluster for the test suite, and the database URL of the test database.

`PostgresCluster.start()` runs Debian's `initdb` into a fresh temporary folder and starts the
`postgres` server on a Unix socket in that folder (no TCP port, so parallel runs never clash).
PostgreSQL refuses to run as root: when the tests run as root, the folder is given to the
`postgres` account (created by Debian's `postgresql` package) and the server runs as it. The
server gets SIGQUIT (immediate shutdown) when the process that started it dies, even by
`kill -9`; `stop()` shuts it down and deletes the folder. Folders left by a killed run are
deleted by the next start.

Linux only (the parent-death signal is `prctl(PR_SET_PDEATHSIG)`), like the sandbox.
"""

from __future__ import annotations

import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

STARTUP_TIMEOUT_S = 60
SHUTDOWN_TIMEOUT_S = 30
SUPERUSER = "tensorgrade"
DATABASE = "tensorgrade"
SERVER_ACCOUNT = "postgres"  # the account Debian's postgresql package creates
FOLDER_PREFIX = "tensorgrade-test-pg-"
OWNER_FILE = "owner.pid"  # the pid of the test process that started the cluster
PR_SET_PDEATHSIG = 1
# Durability is not needed for a database thrown away after the run; connections are: the
# integration tests run a live server, Celery workers and 20-thread races at once.
SERVER_SETTINGS = {
    "listen_addresses": "",
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class ClusterError(RuntimeError):
    """PostgreSQL could not be found, initialised or started; the message says what to do."""


def find_bin_dir() -> Path:
    """The folder holding `initdb` and `postgres`: the one on PATH, else the newest version
    under Debian's /usr/lib/postgresql/<version>/bin.

    Raises ClusterError naming the package to install when there is none.
    """
    on_path = shutil.which("initdb")
    if on_path and (Path(on_path).resolve().parent / "postgres").exists():
        return Path(on_path).resolve().parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        raise ClusterError(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin); "
            "run `scripts/system-deps test` as root, or `apt-get install -y postgresql`."
        )

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parent.parent.name))

    return Path(max(candidates, key=version)).parent


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_folders(parent: Path) -> list[Path]:
    """Delete the cluster folders under `parent` whose test process is gone (a killed run).

    Returns the folders deleted. A folder of a live run (another checkout's tests) is kept.
    """
    removed = []
    for folder in parent.glob(FOLDER_PREFIX + "*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _pid_alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _die_with_parent() -> None:
    """In the server's process before exec: SIGQUIT (immediate shutdown) when the parent dies.

    Runs after subprocess has switched uid (a uid change clears the parent-death signal).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


class PostgresCluster:
    """One PostgreSQL server in a temporary folder, reachable by its Unix socket.

    `start()` then `database_url()` (a URL for settings' DATABASE_URL) and finally `stop()`.
    """

    def __init__(self, bin_dir: Path | None = None, parent: Path | None = None) -> None:
        self.bin_dir = bin_dir or find_bin_dir()
        self.parent = Path(parent or tempfile.gettempdir())
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self._run_as: dict = {}

    @property
    def socket_dir(self) -> Path:
        """The folder of the server's Unix socket (the cluster's folder)."""
        assert self.folder is not None, "the cluster has not been started"
        return self.folder

    def _account(self) -> dict:
        """subprocess arguments that run a command as the server's account (when root)."""
        if os.geteuid() != 0:
            return {}
        try:
            account = pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError as missing:
            raise ClusterError(
                f"PostgreSQL refuses to run as root and there is no `{SERVER_ACCOUNT}` account "
                "to run it as; `apt-get install -y postgresql` creates it."
            ) from missing
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def start(self) -> None:
        """initdb a new cluster and start its server; returns once it accepts connections.

        Raises ClusterError (with the end of the server's log) when it does not start within
        STARTUP_TIMEOUT_S seconds; the folder is deleted then.
        """
        self._run_as = self._account()
        remove_abandoned_folders(self.parent)
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=self.parent))
        (self.folder / OWNER_FILE).write_text(str(os.getpid()))
        data = self.folder / "data"
        data.mkdir(mode=0o700)
        if self._run_as:
            os.chown(self.folder, self._run_as["user"], self._run_as["group"])
            os.chown(data, self._run_as["user"], self._run_as["group"])
        try:
            self._initdb(data)
            self._run_server(data)
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _initdb(self, data: Path) -> None:
        done = subprocess.run(
            [
                str(self.bin_dir / "initdb"),
                *("--pgdata", str(data)),
                *("--username", SUPERUSER),
                *("--auth", "trust"),
                *("--encoding", "UTF8"),
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            cwd=self.folder,
            **self._run_as,
        )
        if done.returncode != 0:
            raise ClusterError(f"initdb failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def _run_server(self, data: Path) -> None:
        options = {**SERVER_SETTINGS, "unix_socket_directories": str(self.socket_dir)}
        command = [str(self.bin_dir / "postgres"), "-D", str(data)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        with (self.folder / "server.log").open("w") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                preexec_fn=_die_with_parent,
                **self._run_as,
            )

    def _log_tail(self) -> str:
        try:
            return (self.folder / "server.log").read_text()[-3000:]
        except OSError:
            return "(no server log)"

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(**self.connect_kwargs("postgres"), connect_timeout=5):
                    return
            except psycopg.OperationalError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise ClusterError(
                        f"PostgreSQL did not start ({error}); its log:\n{self._log_tail()}"
                    ) from error
            time.sleep(0.1)

    def connect_kwargs(self, dbname: str = DATABASE) -> dict[str, str]:
        """psycopg.connect() keyword arguments for database `dbname` of this cluster."""
        return {"host": str(self.socket_dir), "user": SUPERUSER, "dbname": dbname}

    def database_url(self, dbname: str = DATABASE) -> str:
        """A DATABASE_URL (dj-database-url's form) for database `dbname` of this cluster."""
        return postgres_url(host=str(self.socket_dir), user=SUPERUSER, name=dbname)

    def stop(self) -> None:
        """Shut the server down (fast mode, then SIGKILL after SHUTDOWN_TIMEOUT_S) and delete
        the cluster's folder. Safe to call more than once."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def postgres_url(
    *, host: str, name: str, user: str = "", password: str = "", port: str | int = ""
) -> str:
    """A postgres:// URL dj-database-url reads back into these settings.

    `host` may be a socket folder (an absolute path): it is percent-encoded.
    """
    credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    where = quote(host, safe="") + (f":{port}" if port else "")
    return f"postgres://{credentials}{'@' if credentials else ''}{where}/{quote(name, safe='')}"


def database_url(settings_dict: dict) -> str:
    """The DATABASE_URL of a Django connection's settings (e.g. the test database's), for a
    process the test starts (a Celery worker, a second Django process).

    Raises ValueError for an engine other than SQLite and PostgreSQL.
    """
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    if engine == "django.db.backends.postgresql":
        return postgres_url(
            host=settings_dict.get("HOST") or "",
            port=settings_dict.get("PORT") or "",
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            name=settings_dict["NAME"],
        )
    raise ValueError(f"no database URL for the engine {engine}")

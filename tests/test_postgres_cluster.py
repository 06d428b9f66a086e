"""tests/postgres.py: the throwaway PostgreSQL cluster serves, and leaves nothing behind, even
when the test process that started it is killed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from tests.postgres import PostgresCluster, database_url, remove_abandoned_folders

ROOT = Path(__file__).resolve().parents[1]
GONE_WITHIN_S = 30

# Started in a child process that is then killed: prints the folder and the server's pid.
ORPHANING_SCRIPT = """
import os, signal, sys
from tests.postgres import PostgresCluster
cluster = PostgresCluster(parent=sys.argv[1])
cluster.start()
print(cluster.folder, cluster.process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def parent() -> Iterator[Path]:
    """A folder for clusters that the `postgres` account can reach (pytest's parent is
    private to root when the tests run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="tensorgrade-cluster-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] in "ZX"  # exited, not yet reaped
    except FileNotFoundError:
        return True


@pytest.mark.slow
def test_the_cluster_serves_its_url_and_stop_leaves_nothing(parent):
    cluster = PostgresCluster(parent=parent)
    cluster.start()
    folder, server = cluster.folder, cluster.process
    try:
        settings = dj_database_url.parse(cluster.database_url("postgres"))
        assert database_url(settings) == cluster.database_url("postgres")
        with psycopg.connect(**cluster.connect_kwargs("postgres")) as conn:
            assert conn.execute("SELECT current_setting('listen_addresses')").fetchone() == ("",)
            owner = conn.execute("SELECT usename FROM pg_user WHERE usesuper").fetchone()
        assert owner == ("tensorgrade",)
    finally:
        cluster.stop()
    assert server.returncode is not None
    assert not folder.exists()
    assert list(parent.iterdir()) == []


@pytest.mark.slow
def test_the_server_stops_when_its_test_process_is_killed_and_the_next_start_cleans_up(
    parent,
):
    child = subprocess.run(
        [sys.executable, "-c", ORPHANING_SCRIPT, str(parent)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr[-3000:]
    folder, pid = child.stdout.split()
    deadline = time.monotonic() + GONE_WITHIN_S
    while not _gone(int(pid)):
        assert time.monotonic() < deadline, "the server outlived the process that started it"
        time.sleep(0.1)
    assert Path(folder).exists()
    assert remove_abandoned_folders(parent) == [Path(folder)]
    assert list(parent.iterdir()) == []

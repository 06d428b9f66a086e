"""A real redis-server on a free port and a real Celery worker process, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from config import queues
from config.celery import app as celery_app
from tests.postgres import database_url

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; run `apt-get install -y redis-server`.")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline or process.poll() is not None:
            _stop(process)
            pytest.fail("redis-server did not start")
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    _stop(process)


def _reset_producer_pool() -> None:
    """Drop pooled broker connections so the next publish connects to the current broker_url."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_url, monkeypatch):
    """Point this process's Celery producer at the test Redis."""
    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)
    _reset_producer_pool()
    yield redis_url
    _reset_producer_pool()


@pytest.fixture
def start_worker(broker, transactional_db, tmp_path):
    """Starts real `celery worker` processes on the test Redis and the test database file.

    `start_worker(env={...}, beat=True)` adds environment variables (settings such as short
    grading backoffs, or SANDBOX_SOCKET) and runs the beat schedule (the stale-submission
    sweep and the recovery) inside the worker. Every worker started is stopped afterwards.
    """
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(*, env: dict[str, str] | None = None, beat: bool = False) -> subprocess.Popen:
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CELERY_BROKER_URL": broker,
            "DATABASE_URL": database_url(connection.settings_dict),
            "TENSORGRADE_VAR_DIR": str(settings.VAR_DIR),
            **(env or {}),
        }
        log = tmp_path / f"worker-{len(started)}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{os.getpid()}-{len(started)}@%h",
            "--queues",
            ",".join(queues.ALL),
        ]
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{len(started)}")]
        with log.open("w") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
            )
        started.append((process, log))
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                pytest.fail(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        return process

    yield start
    for process, log in started:
        _stop(process)
        print(log.read_text()[-3000:])


@pytest.fixture
def celery_worker(start_worker):
    """One real `celery worker` process with the default settings."""
    return start_worker()

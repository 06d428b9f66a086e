"""`manage.py relay_outbox` as compose runs it: a heartbeat file per pass, SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_relay_touches_its_heartbeat_every_pass_and_stops_on_sigterm(tmp_path):
    heartbeat = tmp_path / "relay-heartbeat"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # No tables here: every pass fails on the database, is logged, and the relay goes on.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "GRADING_OUTBOX_EVERY_S": "0.2",
    }
    relay = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "relay_outbox", "--heartbeat", str(heartbeat)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not heartbeat.exists() and time.monotonic() < deadline and relay.poll() is None:
            time.sleep(0.1)
        assert heartbeat.exists(), relay.stdout.read() if relay.poll() is not None else ""
        first = heartbeat.stat().st_mtime_ns
        deadline = time.monotonic() + 10
        while heartbeat.stat().st_mtime_ns == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert heartbeat.stat().st_mtime_ns > first
    finally:
        relay.send_signal(signal.SIGTERM)
        output, _ = relay.communicate(timeout=30)
    assert relay.returncode == 0, output
    assert "the database is unavailable" in output

"""A sandbox master killed with SIGKILL takes its slots (supervisors, templates, idle job
children) with it, even after a job has run (the supervisor's uid switch when it kills a job's
processes used to clear its parent-death signal, leaving the slot serving on the old socket)."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from sandbox import Call
from sandbox.local_server import LocalServer
from tests.sandbox.conftest import (
    HEALTH_CODE,
    SETTLE_TIMEOUT_S,
    descendants,
    processes,
    requires_root,
    run,
)


@pytest.mark.slow
@requires_root
def test_killing_the_master_leaves_no_slot_process():
    server = LocalServer(workers=1)
    try:
        server.wait_until_ready()
        result = run(server.client, HEALTH_CODE, Call("normalise", (np.ones((2, 3)),)))
        assert result.status == "ok", result
        tree = descendants(server.process.pid)
        assert len(tree) >= 3  # a supervisor, its templates and their idle children

        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            table = processes()
            left = [pid for pid in tree if pid in table and table[pid][2] != "Z"]
            if not left:
                break
            time.sleep(0.1)
        assert left == [], f"slot processes outlived their master: {left}"
    finally:
        server.stop()

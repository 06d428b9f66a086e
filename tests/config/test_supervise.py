"""The restart policy of `config.supervise`, and a supervised process restarted for real."""

from __future__ import annotations

import io
import os
import signal
import sys
import time

import pytest

from config.supervise import Backoff, Service, StartupError, Supervisor


def test_backoff_doubles_up_to_the_cap():
    backoff = Backoff(first_s=1.0, factor=2.0, max_s=30.0, reset_after_s=60.0)
    assert [backoff.delay_s(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    with pytest.raises(ValueError):
        backoff.delay_s(0)


def test_backoff_forgets_deaths_after_a_long_enough_run():
    backoff = Backoff(reset_after_s=60.0)
    assert backoff.deaths_in_a_row(previous=0, ran_for_s=0.5) == 1
    assert backoff.deaths_in_a_row(previous=4, ran_for_s=59.9) == 5
    assert backoff.deaths_in_a_row(previous=4, ran_for_s=60.0) == 1


def _sleeper(tmp_path, name="sleeper", **kwargs) -> Service:
    marker = tmp_path / f"{name}.started"
    code = (
        f"import pathlib, time; print('up', flush=True); pathlib.Path({str(marker)!r}).touch(); "
        "time.sleep(600)"
    )
    return Service(
        name=name,
        command=[sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"]},
        ready=marker.exists,
        before_start=lambda: marker.unlink(missing_ok=True),
        **kwargs,
    )


def _service_pid(wrapper_pid: int) -> int:
    children = (
        open(f"/proc/{wrapper_pid}/task/{wrapper_pid}/children").read().split()  # noqa: SIM115
    )
    assert len(children) == 1
    return int(children[0])


def _wait(condition, timeout_s: float = 10.0) -> None:  # noqa: ANN001 - a predicate
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_service_is_restarted_after_its_backoff_and_stopped_in_the_end(tmp_path):
    out = io.StringIO()
    supervisor = Supervisor(tmp_path / "log", Backoff(first_s=0.5, max_s=0.5), 10.0, out)
    service = _sleeper(tmp_path)
    try:
        supervisor.start(service)
        first = supervisor.pid("sleeper")
        victim = _service_pid(first)
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: supervisor.check() or supervisor.pid("sleeper") not in (None, first))
        second = supervisor.pid("sleeper")
        _wait(service.ready)
        assert "sleeper stopped (killed by SIGKILL)" in out.getvalue()
        assert "restarting it in 0.5 s" in out.getvalue()
        assert supervisor.output_since_start("sleeper") == "up\n"  # the log holds two
        assert (tmp_path / "log" / "sleeper.log").read_text() == "up\nup\n"
    finally:
        supervisor.stop()
    assert supervisor.pid("sleeper") is None
    assert not os.path.exists(f"/proc/{second}")


def test_a_service_that_exits_during_start_up_is_a_startup_error_quoting_its_log(tmp_path):
    supervisor = Supervisor(tmp_path / "log", out=io.StringIO())
    failing = Service(
        name="failing",
        command=[sys.executable, "-c", "import sys; sys.exit('port 1234 is taken')"],
        env={"PATH": os.environ["PATH"]},
        ready=lambda: False,
    )
    try:
        with pytest.raises(StartupError, match="(?s)failing exited during start-up.*port 1234"):
            supervisor.start(failing)
    finally:
        supervisor.stop()

"""`make run`: migrate, load demo content, start Redis, the sandbox, a worker and the web server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TENSORGRADE_VAR_DIR", BASE_DIR / "var"))
PYTHON = sys.executable
SYSTEM_DEPS = BASE_DIR / "scripts" / "system-deps"
WEB_HOST = os.environ.get("TENSORGRADE_HOST", "127.0.0.1")
WEB_PORT = int(os.environ.get("TENSORGRADE_PORT", "8000"))
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20


class StartupError(Exception):
    """The stack cannot start; the message says what to do."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _free_port(preferred: int) -> int:
    if _port_free(preferred):
        return preferred
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_server_binary() -> str:
    """The path of redis-server, installed first by scripts/system-deps if missing.

    The script installs the missing system packages (redis-server, libseccomp2) with apt-get when
    run as root, waiting for another apt process's lock; otherwise it prints the exact command.

    Raises:
        StartupError: a package is missing and was not installed; the script said what to run.
    """
    result = subprocess.run([str(SYSTEM_DEPS), "run"], env={**os.environ, "PYTHON": PYTHON})
    if result.returncode != 0:
        raise StartupError("system packages are missing (see above).")
    found = shutil.which("redis-server")
    if not found:
        raise StartupError("redis-server is installed but not on PATH; add its folder to PATH.")
    return found


def _wait_until(check: Callable[[], bool], what: str, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if check():
            return
        for proc in processes:
            if proc.poll() is not None:
                raise StartupError(f"{what} exited early with code {proc.returncode}; see above.")
        time.sleep(0.2)
    raise StartupError(f"{what} did not become ready within {READY_TIMEOUT_S} s.")


def _spawn(args: list[str], **kwargs: object) -> subprocess.Popen:
    """A child in its own session: Ctrl-C reaches only the launcher, which stops them in order."""
    return subprocess.Popen(args, start_new_session=True, **kwargs)


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill what is left of a dead child's session (a SIGKILLed sandbox server's slot
    processes would otherwise keep its socket and stop a new server from starting)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(BASE_DIR / "manage.py"), *args], check=True, env=env)


def _stop(processes: list[subprocess.Popen]) -> None:
    """Stop in reverse start order, each before the next, so the worker still has Redis."""
    for proc in reversed(processes):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


MAX_SANDBOX_RESTARTS = 5
SANDBOX_RESTART_PAUSE_S = 1.0


def main() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "redis").mkdir(exist_ok=True)
    processes: list[subprocess.Popen] = []
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        redis_port = _free_port(int(os.environ.get("TENSORGRADE_REDIS_PORT", "6379")))
        socket_dir = VAR_DIR / "sandbox"
        socket_dir.mkdir(exist_ok=True)
        socket_dir.chmod(0o700)  # only this account's processes may send jobs
        sandbox_socket = socket_dir / "sandbox.sock"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TENSORGRADE_VAR_DIR": str(VAR_DIR),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SANDBOX_SOCKET": str(sandbox_socket),
            # The demo's webhook receivers run on this machine (docs/lms.md, Webhooks).
            "WEBHOOKS_ALLOW_PRIVATE_URLS": os.environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS", "1"),
        }
        if not _port_free(WEB_PORT):
            raise StartupError(
                f"Port {WEB_PORT} is already in use; stop what uses it or set TENSORGRADE_PORT."
            )
        redis_binary = _redis_server_binary()
        _manage("migrate", "--noinput", env=env)

        processes.append(
            _spawn(
                [
                    redis_binary,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(VAR_DIR / "redis"),
                    "--appendonly",
                    "yes",
                    "--save",
                    "",
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        _wait_until(lambda: not _port_free(redis_port), "redis-server", processes)

        sandbox_socket.unlink(missing_ok=True)
        sandbox_env = {
            k: v for k, v in env.items() if k in ("PATH", "LANG", "SANDBOX_ALLOW_INSECURE")
        }

        def start_sandbox() -> subprocess.Popen:
            return _spawn(
                [PYTHON, "-m", "sandbox", "serve", "--socket", str(sandbox_socket)],
                cwd=BASE_DIR,
                env=sandbox_env,
            )

        processes.append(start_sandbox())
        sandbox_index = len(processes) - 1
        _wait_until(sandbox_socket.exists, "the sandbox server", processes)

        _manage("demo_setup", env=env)
        processes.append(
            _spawn(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--loglevel",
                    "INFO",
                    "--queues",
                    "marking,code,variants,passback,sweeper",
                    "--concurrency",
                    str(os.cpu_count() or 1),
                    "--schedule",
                    str(VAR_DIR / "celerybeat-schedule"),
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        processes.append(
            _spawn(
                [
                    PYTHON,
                    str(BASE_DIR / "manage.py"),
                    "runserver",
                    "--insecure",
                    "--noreload",
                    f"{WEB_HOST}:{WEB_PORT}",
                ],
                env=env,
            )
        )
        _wait_until(lambda: not _port_free(WEB_PORT), "the web server", processes)
        print(
            f"\nTensorgrade is running at http://{WEB_HOST}:{WEB_PORT}/ "
            "(log in with the credentials above). Press Ctrl-C to stop.\n",
            flush=True,
        )
        sandbox_restarts = 0
        while True:
            time.sleep(0.5)
            sandbox_exit = processes[sandbox_index].poll()
            if sandbox_exit is not None and sandbox_restarts < MAX_SANDBOX_RESTARTS:
                sandbox_restarts += 1
                # As compose's `restart:` does: marking waits in `error` meanwhile and is
                # retried once the sandbox is back (docs/grading.md).
                print(
                    f"The sandbox server stopped (exit status {sandbox_exit}); restarting it.",
                    file=sys.stderr,
                    flush=True,
                )
                _kill_group(processes[sandbox_index])
                time.sleep(SANDBOX_RESTART_PAUSE_S)
                processes[sandbox_index] = start_sandbox()
            if any(proc.poll() is not None for proc in processes):
                break
        print("A service stopped unexpectedly; shutting the rest down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Tensorgrade …", flush=True)
        return 0
    except (StartupError, subprocess.CalledProcessError) as exc:
        print(f"Could not start Tensorgrade: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop(processes)


if __name__ == "__main__":
    sys.exit(main())

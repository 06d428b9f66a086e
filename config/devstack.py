"""`make run`: migrate, load demo content, then run and supervise the whole service.

The services (`services`) are Redis, the sandbox server, one Celery worker per group of
`config.queues.WORKER_GROUPS`, Celery beat, the outbox relay and gunicorn; `config.supervise`
starts them in that order, restarts any that dies with backoff, and stops them in reverse order
on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

from config import queues
from config.supervise import Backoff, Service, StartupError, Supervisor, die_with_parent

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TENSORGRADE_VAR_DIR", BASE_DIR / "var"))
PYTHON = sys.executable
SYSTEM_DEPS = BASE_DIR / "scripts" / "system-deps"
WEB_HOST = os.environ.get("TENSORGRADE_HOST", "127.0.0.1")
WEB_PORT = int(os.environ.get("TENSORGRADE_PORT", "8000"))
CORES = os.cpu_count() or 1
WEB_WORKERS = int(os.environ.get("TENSORGRADE_WEB_WORKERS", str(CORES)))
WEB_THREADS = int(os.environ.get("TENSORGRADE_WEB_THREADS", "32"))
READY_TIMEOUT_S = 120
RESTART_BACKOFF = Backoff(first_s=1.0, factor=2.0, max_s=30.0, reset_after_s=60.0)


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


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [PYTHON, str(BASE_DIR / "manage.py"), *args],
        check=True,
        env=env,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - the launcher has no threads
    )


def worker_name(group: tuple[str, ...]) -> str:
    """The service (and Celery node) name of the worker consuming ``group``'s queues."""
    return "worker-" + "-".join(group)


def services(
    *, env: dict[str, str], redis_binary: str, redis_port: int, sandbox_socket: Path
) -> tuple[list[Service], list[Service]]:
    """What `make run` supervises: (started before the demo content is loaded, after it).

    ``env`` is the Django environment (broker URL, sandbox socket, var dir); the sandbox gets
    only PATH, LANG and SANDBOX_ALLOW_INSECURE from it (it holds no secrets).
    """
    redis = Service(
        name="redis",
        command=[
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
        env=env,
        ready=lambda: not _port_free(redis_port),
    )
    sandbox = Service(
        name="sandbox",
        command=[PYTHON, "-m", "sandbox", "serve", "--socket", str(sandbox_socket)],
        env={k: v for k, v in env.items() if k in ("PATH", "LANG", "SANDBOX_ALLOW_INSECURE")},
        cwd=BASE_DIR,
        ready=sandbox_socket.exists,
        before_start=lambda: sandbox_socket.unlink(missing_ok=True),
    )
    celery = [PYTHON, "-m", "celery", "-A", "config"]
    workers = [
        Service(
            name=worker_name(group),
            command=[
                *celery,
                "worker",
                "--loglevel",
                "INFO",
                "--hostname",
                f"{worker_name(group)}@%h",
                "--queues",
                ",".join(group),
                "--concurrency",
                str(CORES),
            ],
            env=env,
            cwd=BASE_DIR,
        )
        for group in queues.WORKER_GROUPS
    ]
    beat = Service(
        name="beat",
        command=[
            *celery,
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(VAR_DIR / "celerybeat-schedule"),
        ],
        env=env,
        cwd=BASE_DIR,
    )
    relay = Service(
        name="relay",
        command=[PYTHON, str(BASE_DIR / "manage.py"), "relay_outbox"],
        env=env,
        cwd=BASE_DIR,
    )
    web = Service(
        name="web",
        command=[
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{WEB_HOST}:{WEB_PORT}",
            # Threads, so requests that wait (long-polls) do not hold a whole process each.
            "--worker-class",
            "gthread",
            "--workers",
            str(WEB_WORKERS),
            "--threads",
            str(WEB_THREADS),
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=BASE_DIR,
        ready=lambda: not _port_free(WEB_PORT),
    )
    return [redis, sandbox], [*workers, beat, relay, web]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Run the stack until Ctrl-C or SIGTERM (exit status 0); 1 if it cannot start."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "redis").mkdir(exist_ok=True)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    supervisor = Supervisor(VAR_DIR / "log", RESTART_BACKOFF, READY_TIMEOUT_S, out=sys.stdout)
    try:
        redis_port = _free_port(int(os.environ.get("TENSORGRADE_REDIS_PORT", "6379")))
        socket_dir = VAR_DIR / "sandbox"
        socket_dir.mkdir(exist_ok=True)
        socket_dir.chmod(0o700)  # only this account's processes may send jobs
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TENSORGRADE_VAR_DIR": str(VAR_DIR),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SANDBOX_SOCKET": str(socket_dir / "sandbox.sock"),
            # The demo's webhook receivers run on this machine (docs/lms.md, Webhooks).
            "WEBHOOKS_ALLOW_PRIVATE_URLS": os.environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS", "1"),
        }
        if not _port_free(WEB_PORT):
            raise StartupError(
                f"Port {WEB_PORT} is already in use; stop what uses it or set TENSORGRADE_PORT."
            )
        before_demo, after_demo = services(
            env=env,
            redis_binary=_redis_server_binary(),
            redis_port=redis_port,
            sandbox_socket=socket_dir / "sandbox.sock",
        )
        _manage("migrate", "--noinput", env=env)
        _manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        for service in before_demo:
            supervisor.start(service)
        for line in supervisor.output_since_start("sandbox").splitlines():
            if "INSECURE" in line:  # SANDBOX_ALLOW_INSECURE=1 without root: say it loudly
                print(line, file=sys.stderr, flush=True)
        _manage("demo_setup", env=env)
        for service in after_demo:
            supervisor.start(service)
        print(
            f"\nTensorgrade is running at http://{WEB_HOST}:{WEB_PORT}/ "
            f"(log in with the credentials above); logs are in {VAR_DIR / 'log'}. "
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        supervisor.watch()
    except KeyboardInterrupt:
        print("\nStopping Tensorgrade …", flush=True)
        return 0
    except (StartupError, subprocess.CalledProcessError) as exc:
        print(f"Could not start Tensorgrade: {exc}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())

"""docker-compose.yml cannot run here (no Docker engine), so its wiring is checked by parsing it
and the Dockerfile: every service healthy-checked and restarted, every queue consumed, one
beat, the same complete environment everywhere, and every command's entry point in the image."""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from config import queues

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SOCKET = "/run/sandbox/sandbox.sock"
APP_SERVICES = ("migrate", "web", "worker-marking", "worker-code", "beat", "relay")
SANDBOX_SERVICES = ("sandbox", "sandbox-web")
ONE_OFF = {"migrate"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _workers(services: dict) -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in services.items()
        if service.get("command", [])[:4] == ["celery", "-A", "config", "worker"]
    }


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_services_present(services):
    assert set(services) == {"postgres", "redis", *APP_SERVICES, *SANDBOX_SERVICES}


def test_every_long_running_service_has_a_health_check_and_restarts(services):
    for name, service in services.items():
        if name in ONE_OFF:
            assert service["restart"] == "no"
            continue
        assert service["restart"] in ("unless-stopped", "always"), name
        check = service["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name


def test_each_worker_group_is_a_service_and_every_queue_has_a_consumer(services):
    workers = _workers(services)
    groups = {name: tuple(_option(cmd, "--queues").split(",")) for name, cmd in workers.items()}
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, queues.WORKER_GROUPS))
    consumed = [queue for group in groups.values() for queue in group]
    assert sorted(consumed) == sorted(queues.ALL)


def test_worker_health_checks_ping_their_own_worker(services):
    for name, command in _workers(services).items():
        node = _option(command, "--hostname")
        assert node.endswith("@%h")
        check = services[name]["healthcheck"]["test"]
        # `$$` in the file is a literal `$` for the container's shell.
        ping = shlex.split(check[1].replace("$$", "$"))
        assert ping[:5] == ["celery", "-A", "config", "inspect", "ping"]
        assert _option(ping, "-d") == node.replace("%h", "$HOSTNAME")


def test_exactly_one_beat(services):
    beats = [
        name
        for name, s in services.items()
        if s.get("command", [])[:4] == ["celery", "-A", "config", "beat"]
    ]
    assert beats == ["beat"]
    for command in _workers(services).values():
        assert "--beat" not in command and "-B" not in command
    assert "deploy" not in services["beat"]


def test_web_is_gunicorn_with_threads_and_checks_healthz(services):
    web = services["web"]
    command = web["command"]
    assert command[:2] == ["gunicorn", "config.wsgi:application"]
    assert _option(command, "--worker-class") == "gthread"
    assert "http://127.0.0.1:8000/healthz" in " ".join(web["healthcheck"]["test"])


def test_application_services_share_one_complete_environment(services):
    expected = services["web"]["environment"]
    for name in APP_SERVICES:
        assert services[name]["environment"] == expected, name
        assert services[name]["user"] == "tensorgrade", name
    assert expected["DATABASE_URL"].startswith("postgres://")
    assert "@${POSTGRES_HOST:-postgres}:5432/" in expected["DATABASE_URL"]
    assert expected["CELERY_BROKER_URL"] == "redis://${REDIS_HOST:-redis}:6379/0"
    assert expected["CACHE_URL"] == "redis://${REDIS_HOST:-redis}:6379/1"
    assert expected["SANDBOX_SOCKET"] == SOCKET
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "METRICS_TOKEN"} <= set(expected)
    # Every variable is a setting the README's configuration table documents.
    table = (ROOT / "README.md").read_text()
    assert [name for name in expected if f"`{name}`" not in table] == []


def test_every_compose_variable_is_documented_in_operations():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text()))
    assert {"WEB_PROCESSES", "SANDBOX_SLOTS", "METRICS_TOKEN"} <= used
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert sorted(name for name in used if f"`{name}`" not in doc) == []


def test_web_and_workers_reach_a_sandbox_of_their_own_host(services):
    served = {}
    for name in SANDBOX_SERVICES:
        command = services[name]["command"]
        assert command[:4] == ["python", "-m", "sandbox", "serve"]
        assert _option(command, "--socket") == SOCKET
        (volume,) = services[name]["volumes"]
        served[volume] = name
    assert len(served) == len(SANDBOX_SERVICES)
    for name in ("web", *_workers(services)):
        (volume,) = services[name]["volumes"]
        assert volume.endswith(":" + SOCKET.rsplit("/", 1)[0]), name
        sandbox = served[volume]
        assert services[name]["depends_on"][sandbox]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert served["sandbox-socket:/run/sandbox"] == "sandbox"
    assert served["sandbox-web-socket:/run/sandbox"] == "sandbox-web"


def test_sandboxes_are_isolated_and_hold_no_secrets(services):
    for name in SANDBOX_SERVICES:
        sandbox = services[name]
        assert sandbox["network_mode"] == "none"
        assert sandbox["read_only"] is True
        assert "ports" not in sandbox
        assert set(sandbox["environment"]) <= {"GLIBC_TUNABLES"}
        assert sandbox["cap_drop"] == ["ALL"]
        assert set(sandbox["cap_add"]) == {"SYS_ADMIN", "SETUID", "SETGID", "KILL"}
        assert sandbox["pids_limit"] > 0 and sandbox["mem_limit"]
        assert SOCKET in " ".join(sandbox["healthcheck"]["test"])


def test_named_volumes_are_declared(compose, services):
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith(("/", ".")) or source in declared, volume


def test_no_secret_is_written_into_the_file(services):
    text = COMPOSE.read_text()
    assert "${SECRET_KEY:?" in text and "${POSTGRES_PASSWORD:?" in text
    env = services["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${")
    assert env["METRICS_TOKEN"].startswith("${")


def _copied() -> set[str]:
    return set(re.findall(r"^COPY (\S+) \./\S*$", DOCKERFILE.read_text(), re.M))


def test_the_image_holds_every_installed_app():
    local_apps = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    local_apps = {app for app in local_apps if (ROOT / app / "__init__.py").exists()}
    assert local_apps - _copied() == set()


def test_every_command_entry_point_exists_in_the_image(services):
    copied = _copied()
    for name, service in services.items():
        if service.get("build") != ".":
            continue
        command = service["command"]
        if command[:2] == ["python", "-m"]:
            module = command[2]
            assert module in copied and (ROOT / module / "__main__.py").exists(), name
        elif command[0] == "python":
            assert command[1] in copied and (ROOT / command[1]).exists(), name
        elif command[0] == "gunicorn":
            module, attribute = command[1].split(":")
            assert module.split(".")[0] in copied
            assert callable(getattr(importlib.import_module(module), attribute))
        else:
            assert command[:3] == ["celery", "-A", "config"], name
            assert "config" in copied
            assert importlib.import_module("config.celery").app.main == "tensorgrade"
    # The commands' programs come from the image's pip install of this project.
    dependencies = " ".join(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    )
    assert "gunicorn" in dependencies and "celery" in dependencies
    assert "pip install" in DOCKERFILE.read_text() and "'.[postgres]'" in DOCKERFILE.read_text()


def test_python_health_checks_compile(services):
    for name, service in services.items():
        check = service.get("healthcheck", {}).get("test", [])
        if check[:3] == ["CMD", "python", "-c"]:
            compile(check[3], f"{name} healthcheck", "exec")

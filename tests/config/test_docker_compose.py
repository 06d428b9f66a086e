"""docker-compose.yml cannot run here (no Docker engine), so its wiring is checked by parsing it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_services_present(compose):
    assert {"postgres", "redis", "web", "worker", "sandbox"} <= set(compose["services"])


def test_web_and_worker_share_database_broker_and_sandbox_socket(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgres://")
            and "@postgres:5432/" in env["DATABASE_URL"]
        )
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        socket_dir = env["SANDBOX_SOCKET"].rsplit("/", 1)[0]
        assert f"sandbox-socket:{socket_dir}" in services[name]["volumes"]
        assert {"redis", "sandbox"} <= set(services[name]["depends_on"])


def test_sandbox_is_isolated_and_holds_no_secrets(compose):
    sandbox = compose["services"]["sandbox"]
    assert sandbox["network_mode"] == "none"
    assert sandbox["read_only"] is True
    assert "ports" not in sandbox
    assert set(sandbox["environment"]) <= {"GLIBC_TUNABLES"}
    assert sandbox["cap_drop"] == ["ALL"]
    assert set(sandbox["cap_add"]) == {"SYS_ADMIN", "SETUID", "SETGID", "KILL"}
    assert sandbox["pids_limit"] > 0 and sandbox["mem_limit"]
    socket = sandbox["command"][sandbox["command"].index("--socket") + 1]
    assert f"sandbox-socket:{socket.rsplit('/', 1)[0]}" in sandbox["volumes"]
    for name in ("web", "worker"):
        assert compose["services"][name]["environment"]["SANDBOX_SOCKET"] == socket


def test_no_secret_is_written_into_the_file(compose):
    text = COMPOSE.read_text()
    assert "${SECRET_KEY:?" in text and "${POSTGRES_PASSWORD:?" in text
    env = compose["services"]["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${")

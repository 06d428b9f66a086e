"""Every queue a task can be sent to is consumed by the workers `make run` and compose start."""

from __future__ import annotations

from pathlib import Path

import yaml

from config import devstack, queues

ROOT = Path(__file__).resolve().parents[2]


def test_every_routed_queue_is_a_known_queue():
    assert {route["queue"] for route in queues.TASK_ROUTES.values()} <= set(queues.ALL)
    assert {queue for group in queues.WORKER_GROUPS for queue in group} == set(queues.ALL)


def test_make_run_workers_consume_every_queue():
    before_demo, after_demo = devstack.services(
        env={}, redis_binary="redis-server", redis_port=6379, sandbox_socket=Path("s.sock")
    )
    consumed = []
    for service in [*before_demo, *after_demo]:
        command = list(service.command)
        if "worker" in command:
            consumed.append(tuple(command[command.index("--queues") + 1].split(",")))
    assert consumed == list(queues.WORKER_GROUPS)


def test_compose_workers_consume_every_queue():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if "worker" in command and "--queues" in command:
            consumed |= set(command[command.index("--queues") + 1].split(","))
    assert consumed == set(queues.ALL)
